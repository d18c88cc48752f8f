import type { ComponentChildren } from 'preact';

/** A titled section; shows the API's error (code and message) instead of stale numbers going unnoticed. */
export function Panel(props: { id: string; title: string; error?: Error | undefined; actions?: ComponentChildren; children: ComponentChildren; class?: string }) {
  const headingId = `${props.id}-title`;
  return (
    <section class={`panel ${props.class ?? ''}`} id={props.id} aria-labelledby={headingId}>
      <header class="panel-head">
        <h2 id={headingId}>{props.title}</h2>
        {props.actions}
      </header>
      {props.error !== undefined && (
        <p class="error" role="alert">
          {props.error.message}
        </p>
      )}
      {props.children}
    </section>
  );
}

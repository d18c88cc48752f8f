import { useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
}

/**
 * Runs `load` whenever `deps` change (and every `refreshMs` if given);
 * an answer that arrives after a newer request started is dropped, so a
 * slow old query never overwrites a new one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true });
  const generation = useRef(0);
  useEffect(() => {
    const run = (): void => {
      const mine = ++generation.current;
      setState((s) => ({ ...s, loading: true }));
      load().then(
        (data) => {
          if (mine === generation.current) setState({ data, error: undefined, loading: false });
        },
        (err: unknown) => {
          if (mine === generation.current) setState((s) => ({ data: s.data, error: err instanceof Error ? err : new Error(String(err)), loading: false }));
        },
      );
    };
    run();
    if (refreshMs === undefined) return () => void ++generation.current;
    const timer = window.setInterval(run, refreshMs);
    return () => {
      window.clearInterval(timer);
      ++generation.current;
    };
  }, deps);
  return state;
}

import { useState } from 'preact/hooks';
import { Api, ApiError, type StatusAnswer } from '../api.js';

/** Asks for a read key and checks it against `/v1/status` before accepting it. */
export function SignIn(props: { onSignedIn: (key: string, status: StatusAnswer) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const k = key.trim();
    if (k === '') {
      setError('Enter a read key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const status = await new Api(k).get<StatusAnswer>('/v1/status');
      props.onSignedIn(k, status);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'This key is not a valid read key (unknown, revoked, or not a read key).' : `Could not sign in: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <h1>Treasury Pay</h1>
      <p>Sign in with your tenant's read key (it starts with <code>tpk_read_</code>). It is kept only for this browser session.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label for="read-key">Read key</label>
        <input id="read-key" name="read-key" type="password" autocomplete="off" spellcheck={false} value={key} onInput={(e) => setKey(e.currentTarget.value)} aria-invalid={error !== null} aria-describedby={error === null ? undefined : 'signin-error'} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== null && (
          <p id="signin-error" class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

/** A JSON call to a running API with a bearer key, for route tests. */
export interface ApiAnswer {
  status: number;
  /** The parsed JSON object, or `{ text }` for a body that is not one. */
  body: Record<string, unknown>;
}

export type ApiCall = (method: string, path: string, key: string, body?: unknown, type?: string) => Promise<ApiAnswer>;

/**
 * A caller for the API at `base()` (read at each call: tests learn the port
 * once their server is up). A string body is sent as it is, anything else
 * as JSON.
 */
export function apiCaller(base: () => string): ApiCall {
  return async (method, path, key, body, type = 'application/json') => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${key}` } };
    if (body !== undefined) {
      init.headers = { ...init.headers, 'content-type': type };
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(`${base()}${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
  };
}

import assert from 'node:assert/strict';

/** Calls the sandbox's control API (`/__sandbox__/...`); a non-2xx answer fails the test with the sandbox's error text. */
export async function sandboxControl<T = unknown>(controlUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${controlUrl}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  assert.ok(response.ok, `control ${method} ${path} answered ${response.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

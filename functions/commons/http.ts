export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body isn't JSON. */
  json: unknown;
  text: string;
}

/** GET with a timeout; never keeps a connection, so the load balancer picks a target per request. */
export async function httpGet(url: string, timeoutMs = 5000): Promise<HttpAnswer> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json', connection: 'close', 'user-agent': 'stepship-verify' },
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.name}: ${err.message}${cause}`;
}

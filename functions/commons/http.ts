import { request } from 'node:https';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body isn't JSON. */
  json: unknown;
  text: string;
}

export interface GetOptions {
  timeoutMs?: number;
  /**
   * Ask an HTTPS URL's host for this name instead: it is the Host header and
   * the TLS server name, and the certificate is checked against it. How the
   * load balancer is asked for the app's domain by its own DNS name, so that
   * verification never waits for, nor trusts, the domain's public DNS.
   */
  serverName?: string;
}

const HEADERS = { accept: 'application/json', connection: 'close', 'user-agent': 'stepship-verify' };

/** As many as fetch follows. */
const MAX_REDIRECTS = 20;

/** GET with a timeout; never keeps a connection, so the load balancer picks a target per request. */
export async function httpGet(url: string, options: GetOptions = {}): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (options.serverName !== undefined) {
    return getByName(url, options.serverName, AbortSignal.timeout(timeoutMs), MAX_REDIRECTS);
  }
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: HEADERS });
  return answer(res.status, await res.text());
}

/**
 * fetch can't name a server other than the URL's host (it takes the TLS
 * server name from the URL), so this is node:https. Like fetch it follows
 * redirects, but only those staying on the name: anything else would need
 * the very DNS this avoids, and answers with the redirect itself.
 */
function getByName(
  url: string,
  serverName: string,
  signal: AbortSignal,
  redirects: number,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { servername: serverName, headers: { ...HEADERS, host: serverName }, agent: false, signal },
      (res) => {
        const status = res.statusCode ?? 0;
        const next = sameNameRedirect(status, res.headers.location, url, serverName);
        if (next && redirects > 0) {
          res.resume();
          resolve(getByName(next, serverName, signal, redirects - 1));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(answer(status, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The URL to ask next (on the same host as `url`) when a redirect stays on https://<serverName>. */
function sameNameRedirect(
  status: number,
  location: string | undefined,
  url: string,
  serverName: string,
): string | undefined {
  if (status < 300 || status > 399 || location === undefined) return undefined;
  const current = new URL(url);
  const target = new URL(location, `https://${serverName}${current.pathname}${current.search}`);
  if (target.protocol !== 'https:' || target.host !== serverName) return undefined;
  return new URL(`${target.pathname}${target.search}`, current).href;
}

function answer(status: number, text: string): HttpAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, json, text };
}

export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.name}: ${err.message}${cause}`;
}

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RestHandler } from '../http/endpoint.js';
import { CONSOLE_BASE } from './paths.js';

const COOKIE = 'stepship-console';

/**
 * Strict mode's console: a browser can't sign requests, so the console asks
 * for the key its URL carries (`…/_stepship/console/?key=…`, printed to the
 * one who started the cloud) and then remembers it in a cookie only this
 * origin's console paths get (HttpOnly, SameSite=Strict). Anyone else on the
 * machine gets 401 and no page.
 */
export function keyedConsole(handle: RestHandler, key: string): RestHandler {
  const matches = (given: string | undefined | null) =>
    typeof given === 'string' &&
    given.length === key.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(key));
  return async (req, res, url, ctx) => {
    if (matches(cookieOf(req, COOKIE))) return handle(req, res, url, ctx);
    req.resume();
    if (matches(url.searchParams.get('key'))) {
      const rest = new URLSearchParams(url.searchParams);
      rest.delete('key');
      const query = rest.size > 0 ? `?${rest}` : '';
      res
        .writeHead(303, {
          location: `${url.pathname}${query}`,
          'set-cookie': `${COOKIE}=${key}; Path=${CONSOLE_BASE}; HttpOnly; SameSite=Strict`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        })
        .end();
      return;
    }
    refuse(res);
  };
}

function refuse(res: ServerResponse): void {
  res
    .writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .end(
      'This local cloud runs in strict mode: open the console with the URL it printed when it started (it carries the console key).\n',
    );
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

import { createHash } from 'node:crypto';
import { AwsError } from '../../http/aws-error.js';
import type { RecordedEvent } from './history.js';

interface Token {
  /** The id of the next event to return. */
  n: number;
  c: string;
}

const fingerprint = (context: string) => createHash('sha256').update(context).digest('hex').slice(0, 16);
const invalidToken = () =>
  new AwsError('InvalidToken', 'Invalid Token: the nextToken was not issued for this request.');

/**
 * A page of an execution's history, forward or reversed. The token names
 * the next event by id, so events appended while a running execution is
 * paged (reversed or not) neither repeat nor go missing.
 */
export function historyPage(
  events: readonly RecordedEvent[],
  request: { reverse: boolean; size: number; token?: string | undefined; context: string },
): { events: RecordedEvent[]; nextToken?: string } {
  let next: number | undefined;
  if (request.token !== undefined) {
    let body: Partial<Token> | undefined;
    try {
      body = JSON.parse(Buffer.from(request.token, 'base64url').toString('utf8')) as Partial<Token>;
    } catch {
      body = undefined;
    }
    if (
      !body ||
      typeof body.n !== 'number' ||
      !Number.isInteger(body.n) ||
      body.c !== fingerprint(request.context)
    )
      throw invalidToken();
    next = body.n;
  }
  // Ids run 1…length, so the event with id n sits at index n − 1.
  const start = request.reverse
    ? Math.min(next ?? events.length, events.length)
    : Math.max((next ?? 1) - 1, 0);
  const page = request.reverse
    ? events.slice(Math.max(start - request.size, 0), start).reverse()
    : events.slice(start, start + request.size);
  const last = page.at(-1);
  const more = last !== undefined && (request.reverse ? last.id > 1 : last.id < events.length);
  if (!more) return { events: page };
  const token: Token = { n: request.reverse ? last.id - 1 : last.id + 1, c: fingerprint(request.context) };
  return { events: page, nextToken: Buffer.from(JSON.stringify(token)).toString('base64url') };
}

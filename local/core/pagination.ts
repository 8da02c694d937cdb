import { createHash } from 'node:crypto';

export interface PageRequest {
  /** The token the caller passed back (absent for the first page). */
  token?: string | undefined;
  /** The caller's page size; absent gives `defaultSize`. */
  size?: number | undefined;
  /** The operation's bounds on the page size, as its API reference gives them. */
  defaultSize: number;
  maxSize: number;
  /** The member the caller set the size with, for the error message. */
  sizeMember: string;
  /** What the token must have come from: the operation and its filters. A token from another listing is refused. */
  context: string;
  /** The service's error for a bad token (ECS: InvalidParameterException, Step Functions: InvalidToken…). */
  invalidToken: (message: string) => Error;
  /** The service's error for a page size out of range. */
  invalidSize: (message: string) => Error;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page, as AWS leaves it out. */
  nextToken?: string;
}

interface TokenBody {
  /** Offset of the next item. */
  o: number;
  /** Hash of the listing it belongs to. */
  c: string;
}

const fingerprint = (context: string) => createHash('sha256').update(context).digest('hex').slice(0, 16);

/**
 * One page of `items` (in their final order), with an opaque continuation
 * token tied to the listing it came from: a token that is malformed or
 * belongs to another listing is answered with the service's own error,
 * never with an empty page.
 */
export function paginate<T>(items: readonly T[], request: PageRequest): Page<T> {
  const size = request.size ?? request.defaultSize;
  if (!Number.isInteger(size) || size < 1 || size > request.maxSize) {
    throw request.invalidSize(
      `${request.sizeMember} must be an integer from 1 to ${request.maxSize} (got ${String(request.size)})`,
    );
  }
  const start = request.token === undefined ? 0 : decode(request.token, request);
  const end = start + size;
  const page: Page<T> = { items: items.slice(start, end) };
  if (end < items.length) page.nextToken = encode({ o: end, c: fingerprint(request.context) });
  return page;
}

function encode(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function decode(token: string, request: PageRequest): number {
  let body: Partial<TokenBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    body = undefined;
  }
  if (
    !body ||
    typeof body.o !== 'number' ||
    !Number.isInteger(body.o) ||
    body.o < 0 ||
    body.c !== fingerprint(request.context)
  ) {
    throw request.invalidToken('The nextToken is invalid or was not issued for this request.');
  }
  return body.o;
}

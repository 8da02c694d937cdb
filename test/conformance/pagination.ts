import { expect } from '@jest/globals';
import type { Paginator } from './botocore-validator.js';
import { type AnyCommand, type Case, type Input, operationOf, resolve, type World } from './harness.js';

export interface PaginationOptions {
  /**
   * What to send as the continuation token to see it refused. Opaque tokens
   * get a forged one by default; services whose "token" is a key or a name
   * (DynamoDB) need one that breaks the member's constraints.
   */
  invalidToken?: unknown;
  /**
   * False for operations botocore paginates without a page-size member
   * (DynamoDB ListTagsOfResource pages at the service's discretion): a short
   * list must then come whole, without a token.
   */
  pageSize?: boolean;
}

const PAGE_SIZE = 2;
const MAX_PAGES = 50;
/** base64url of `{"not":"a token"}`: well-formed enough to reach the token check. */
const FORGED_TOKEN = 'eyJub3QiOiJhIHRva2VuIn0';

/**
 * Two cases for an operation botocore paginates (its paginators-1.json names
 * the token, page-size and result members): pages of two join up to the
 * whole list, with a token on every page while more remain and none on the
 * last; and a token the service never issued is refused with its error
 * (the validator checks the code), never answered with an empty page.
 * The fixtures must hold at least three items, or the case fails as vacuous.
 */
export function paginates<F, C extends AnyCommand>(
  command: C,
  input: Input<F, C>,
  options: PaginationOptions = {},
): Case<F>[] {
  const operation = operationOf(command);
  return [
    {
      operation,
      title:
        options.pageSize === false
          ? 'a short list comes whole, without a token'
          : `pages of ${PAGE_SIZE} join up to the whole list, a token while more remain`,
      pages: true,
      run: async (w) => {
        const paginator = await paginatorOf(w, operation);
        const base = resolve(input, w.fixtures) as Record<string, unknown>;
        const send = (extra: Record<string, unknown>) =>
          w.send(command, { ...base, ...extra } as never) as Promise<Record<string, unknown>>;
        const whole = await send({});
        const all = resultsOf(whole, paginator);
        if (all.length <= PAGE_SIZE)
          throw new Error(
            `the fixtures give ${operation} ${all.length} items; paging needs more than ${PAGE_SIZE}`,
          );
        expect(tokenOf(whole, paginator)).toBeUndefined();
        const limit = paginator.limit_key;
        if (options.pageSize === false) {
          if (limit) throw new Error(`botocore pages ${operation} by ${limit}: page it`);
          return;
        }
        if (!limit) throw new Error(`botocore gives ${operation} no page size: say { pageSize: false }`);
        const joined: unknown[] = [];
        let token: unknown;
        for (let page = 1; ; page++) {
          if (page > MAX_PAGES) throw new Error(`${operation} never stopped answering a token`);
          const answer = await send({
            [limit]: PAGE_SIZE,
            ...(token ? { [inputToken(paginator)]: token } : {}),
          });
          const items = resultsOf(answer, paginator);
          joined.push(...items);
          token = tokenOf(answer, paginator);
          const more = joined.length < all.length;
          if (items.length > PAGE_SIZE || (more && items.length < PAGE_SIZE))
            throw new Error(
              `page ${page} of ${limit}=${PAGE_SIZE} holds ${items.length} of ${all.length} items`,
            );
          if (more && token === undefined)
            throw new Error(`page ${page} answers no ${first(paginator.output_token)} though items remain`);
          if (token === undefined) break;
        }
        expect(joined).toEqual(all);
      },
    },
    {
      operation,
      title: 'a token it never issued is refused with its error, not an empty page',
      pages: true,
      run: async (w) => {
        const paginator = await paginatorOf(w, operation);
        const base = resolve(input, w.fixtures) as Record<string, unknown>;
        const forged = options.invalidToken ?? FORGED_TOKEN;
        await w.sendExpectingError(command, { ...base, [inputToken(paginator)]: forged } as never);
      },
    },
  ];
}

async function paginatorOf<F>(w: World<F>, operation: string): Promise<Paginator> {
  const paginator = await w.paginator(operation);
  if (!paginator) throw new Error(`botocore has no paginator for ${operation}`);
  return paginator;
}

const first = (key: string | string[]) => (Array.isArray(key) ? (key[0] ?? '') : key);
const inputToken = (p: Paginator) => first(p.input_token);

function resultsOf(output: Record<string, unknown>, p: Paginator): unknown[] {
  const items = output[first(p.result_key)];
  return Array.isArray(items) ? items : [];
}

function tokenOf(output: Record<string, unknown>, p: Paginator): unknown {
  const token = output[first(p.output_token)];
  return token === null || token === '' ? undefined : token;
}

/**
 * Without a page size the operation answers pages of its documented default
 * size, a token on each while more remain; the fixtures must hold more.
 */
export function pagesByDefault<F, C extends AnyCommand>(
  command: C,
  input: Input<F, C>,
  size: number,
): Case<F> {
  const operation = operationOf(command);
  return {
    operation,
    title: `without a page size, pages of ${size} (its documented default)`,
    pages: true,
    run: async (w) => {
      const paginator = await paginatorOf(w, operation);
      const base = resolve(input, w.fixtures) as Record<string, unknown>;
      const first = (await w.send(command, base as never)) as Record<string, unknown>;
      const token = tokenOf(first, paginator);
      expect({ items: resultsOf(first, paginator).length, token: typeof token }).toEqual({
        items: size,
        token: 'string',
      });
      const rest = (await w.send(command, { ...base, [inputToken(paginator)]: token } as never)) as Record<
        string,
        unknown
      >;
      expect(resultsOf(rest, paginator).length).toBeGreaterThan(0);
    },
  };
}

import type { RawRequest } from '../raw-request.js';

/** What the hostile suite's fixture names, for requests that aim at existing resources. */
export interface Aim {
  targetGroupArn: string;
  machineArn: string;
}

/** One hostile request and the answer AWS gives it (the status, and the error code where AWS words one). */
export interface HostileCase {
  name: string;
  request: RawRequest | ((aim: Aim) => RawRequest);
  status: number;
  code?: string;
}

export type CaseRow = [name: string, request: HostileCase['request'], status: number, code?: string];

export const cases = (rows: CaseRow[]): HostileCase[] =>
  rows.map(([name, request, status, code]) => ({ name, request, status, ...(code ? { code } : {}) }));

/** A JSON-protocol request (awsJson 1.0 / 1.1), signed for `service`. */
export function json(
  service: string,
  target: string,
  body: unknown,
  version: '1.0' | '1.1' = '1.1',
): RawRequest {
  return {
    sign: service,
    headers: { 'x-amz-target': target, 'content-type': `application/x-amz-json-${version}` },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  };
}

/** An awsQuery request (form-encoded), signed for `service`. */
export function query(service: string, form: Record<string, string> | string): RawRequest {
  return {
    sign: service,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  };
}

/** `{"a":{"a":…}}` nested `depth` times. */
export function nested(depth: number, leaf = '1'): string {
  return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

/** `[[[…]]]` nested `depth` times. */
export function nestedList(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

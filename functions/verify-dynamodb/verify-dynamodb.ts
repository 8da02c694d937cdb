import { VerificationError } from '../commons/errors.js';
import { describeFailure, type HttpAnswer, httpGet } from '../commons/http.js';
import type { PreparedDeployment, Verification } from '../commons/types.js';

export interface VerifyDynamoInput {
  deployment: PreparedDeployment;
  verification: Verification;
}

export interface VerifyDynamoDeps {
  get?: (url: string) => Promise<HttpAnswer>;
  now?: () => number;
}

/**
 * The service reaches DynamoDB with its task role: `/db` through the load
 * balancer answers `connected` and lists the application's table.
 */
export async function verifyDynamoDb(
  input: VerifyDynamoInput,
  deps: VerifyDynamoDeps = {},
): Promise<Verification> {
  const { deployment, verification } = input;
  const get = deps.get ?? ((url: string) => httpGet(url, 10_000));
  const url = `${deployment.loadBalancerUrl}/db`;
  let answer: HttpAnswer;
  try {
    answer = await get(url);
  } catch (err) {
    throw new VerificationError(`GET ${url} failed: ${describeFailure(err)}`);
  }
  const body = (answer.json ?? {}) as { db?: unknown; tables?: unknown; message?: unknown };
  if (answer.status !== 200 || body.db !== 'connected') {
    const detail = typeof body.message === 'string' ? body.message : answer.text.slice(0, 300);
    throw new VerificationError(
      `The service cannot list DynamoDB tables with its task role: GET /db answered ${answer.status} (db: ${String(body.db)}): ${detail}`,
    );
  }
  const tables = Array.isArray(body.tables)
    ? body.tables.filter((t): t is string => typeof t === 'string')
    : [];
  if (!tables.includes(deployment.appTableName)) {
    throw new VerificationError(`GET /db lists ${tables.length} table(s) but not ${deployment.appTableName}`);
  }
  return { ...verification, tables, verifiedAt: deps.now?.() ?? Date.now() };
}

import { AwsError } from '../../http/aws-error.js';

/**
 * Where dynalite answers other than DynamoDB does, what DynamoDB answers.
 * Requests are seen before dynalite serves them (`refusalOf`), error answers
 * after (`amendedError`); everything else passes as dynalite words it.
 */

/** A request DynamoDB refuses that dynalite would serve. */
export function refusalOf(operation: string, input: Record<string, unknown>): AwsError | undefined {
  // dynalite answers every tag of a table in one page and so never issues a
  // token: any token is one DynamoDB never gave out, not a request for page one.
  if (operation === 'ListTagsOfResource' && input.NextToken !== undefined)
    return new AwsError('ValidationException', 'The provided NextToken is not valid.');
  return undefined;
}

/** An error body with a message where dynalite gives none (DynamoDB always says what is wrong). */
export function amendedError(operation: string, input: Record<string, unknown>, body: Buffer): Buffer {
  let error: { __type?: unknown; message?: unknown; Message?: unknown };
  try {
    error = JSON.parse(body.toString('utf8')) as typeof error;
  } catch {
    return body;
  }
  if (typeof error !== 'object' || error === null) return body;
  if ([error.message, error.Message].some((m) => typeof m === 'string' && m !== '')) return body;
  const code =
    String(error.__type ?? '')
      .split('#')
      .pop() ?? '';
  return Buffer.from(JSON.stringify({ ...error, message: messageFor(operation, code, input) }));
}

function messageFor(operation: string, code: string, input: Record<string, unknown>): string {
  if (operation === 'CreateTable' && code === 'ResourceInUseException')
    return `Table already exists: ${String(input.TableName)}`;
  if (code === 'UnknownOperationException')
    return `The local cloud's DynamoDB does not implement ${operation || 'this operation'}.`;
  return code;
}

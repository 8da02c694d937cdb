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
  // dynalite stores any depth; DynamoDB refuses attribute values nested deeper than 32 levels.
  if (writtenValues(operation, input).some((value) => nestingOf(value) > MAX_ATTRIBUTE_NESTING))
    return new AwsError('ValidationException', 'Nesting Levels have exceeded supported limits');
  return undefined;
}

const MAX_ATTRIBUTE_NESTING = 32;

/** The attribute values a write request carries. */
function writtenValues(operation: string, input: Record<string, unknown>): unknown[] {
  const values = (map: unknown) => (isRecord(map) ? Object.values(map) : []);
  switch (operation) {
    case 'PutItem':
      return values(input.Item);
    case 'UpdateItem':
      return [
        ...values(input.ExpressionAttributeValues),
        ...values(input.AttributeUpdates).map((u) => (isRecord(u) ? u.Value : undefined)),
      ];
    case 'BatchWriteItem':
      return values(input.RequestItems).flatMap((requests) =>
        (Array.isArray(requests) ? requests : []).flatMap((r) =>
          isRecord(r) && isRecord(r.PutRequest) ? values(r.PutRequest.Item) : [],
        ),
      );
    default:
      return [];
  }
}

/** How many levels an attribute value nests: 1 for a scalar, one more for each map or list around it. */
function nestingOf(value: unknown, depth = 1): number {
  if (!isRecord(value) || depth > MAX_ATTRIBUTE_NESTING) return depth;
  const children = isRecord(value.M) ? Object.values(value.M) : Array.isArray(value.L) ? value.L : [];
  let deepest = depth;
  for (const child of children) deepest = Math.max(deepest, nestingOf(child, depth + 1));
  return deepest;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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

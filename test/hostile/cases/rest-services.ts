import type { RawRequest } from '../raw-request.js';
import { type CaseRow, cases, json, nested } from './case.js';

const lambda = (
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): RawRequest => ({
  sign: 'lambda',
  method,
  path,
  headers,
  ...(body !== undefined ? { body } : {}),
});
const s3 = (
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): RawRequest => ({
  sign: 's3',
  method,
  path,
  headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
  ...(body !== undefined ? { body } : {}),
});
const registry = (
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): RawRequest => ({
  method,
  path,
  headers,
  ...(body !== undefined ? { body } : {}),
});
const dynamodb = (op: string, body: unknown) => json('dynamodb', `DynamoDB_20120810.${op}`, body, '1.0');
const console = (method: string, path: string): RawRequest => ({ method, path });

const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:hostile-machine:nobody';

const lambdaRows: CaseRow[] = [
  [
    'Lambda: a function "../../etc/passwd"',
    lambda('GET', '/2015-03-31/functions/..%2F..%2Fetc%2Fpasswd'),
    400,
    'ValidationException',
  ],
  [
    'Lambda: invoking a function nobody made',
    lambda('POST', '/2015-03-31/functions/nope/invocations', '{}'),
    404,
    'ResourceNotFoundException',
  ],
  [
    'Lambda: invoking "constructor"',
    lambda('POST', '/2015-03-31/functions/constructor/invocations', '{}'),
    404,
    'ResourceNotFoundException',
  ],
  [
    'Lambda: reading "__proto__"',
    lambda('GET', '/2015-03-31/functions/__proto__'),
    404,
    'ResourceNotFoundException',
  ],
  [
    'Lambda: broken percent-encoding',
    lambda('GET', '/2015-03-31/functions/%E0%A4%A/configuration'),
    400,
    'ValidationException',
  ],
  [
    'Lambda: an invocation type "Bogus"',
    lambda('POST', '/2015-03-31/functions/nope/invocations', '{}', { 'x-amz-invocation-type': 'Bogus' }),
    400,
    'ValidationException',
  ],
  [
    'Lambda: a payload that is not JSON, to a function nobody made',
    lambda('POST', '/2015-03-31/functions/nope/invocations', '{'),
    404,
    'ResourceNotFoundException',
  ],
  [
    'Lambda: a payload of 7 MB, to a function nobody made',
    lambda('POST', '/2015-03-31/functions/nope/invocations', JSON.stringify('x'.repeat(7 * 1024 * 1024))),
    404,
    'ResourceNotFoundException',
  ],
  ['Lambda: MaxItems −1', lambda('GET', '/2015-03-31/functions/?MaxItems=-1'), 400, 'ValidationException'],
  [
    'Lambda: MaxItems "abc"',
    lambda('GET', '/2015-03-31/functions/?MaxItems=abc'),
    400,
    'ValidationException',
  ],
  [
    'Lambda: a forged Marker',
    lambda('GET', '/2015-03-31/functions/?Marker=forged'),
    400,
    'InvalidParameterValueException',
  ],
];

const s3Rows: CaseRow[] = [
  ['S3: a bucket "UPPER"', s3('PUT', '/UPPER'), 400, 'InvalidBucketName'],
  ['S3: a bucket "__proto__"', s3('PUT', '/__proto__'), 400, 'InvalidBucketName'],
  ['S3: broken percent-encoding', s3('GET', '/%ZZ'), 400, 'InvalidURI'],
  ['S3: a bucket nobody made', s3('GET', '/nope-bucket/key'), 404, 'NoSuchBucket'],
  ['S3: a key "../../etc/passwd"', s3('GET', '/hostile-bucket/..%2F..%2Fetc%2Fpasswd'), 404, 'NoSuchKey'],
  ['S3: max-buckets −1', s3('GET', '/?max-buckets=-1'), 400, 'InvalidArgument'],
  [
    'S3: a bucket configuration that is not XML',
    s3('PUT', '/hostile-new-bucket', '<CreateBucketConfiguration><Loc'),
    400,
    'MalformedXML',
  ],
];

const registryRows: CaseRow[] = [
  [
    'registry: a repository "../../etc/passwd"',
    registry('GET', '/v2/..%2F..%2Fetc%2Fpasswd/manifests/latest'),
    400,
    'NAME_INVALID',
  ],
  // Dot segments are resolved before routing: what is left is no registry path, and unsigned.
  [
    'registry: dot segments out of /v2/',
    registry('GET', '/v2/%2e%2e/%2e%2e/etc/passwd/manifests/latest'),
    403,
    'MissingAuthenticationTokenException',
  ],
  ['registry: a repository "__proto__"', registry('GET', '/v2/__proto__/tags/list'), 400, 'NAME_INVALID'],
  ['registry: a repository "constructor"', registry('GET', '/v2/constructor/tags/list'), 404, 'NAME_UNKNOWN'],
  ['registry: a repository nobody made', registry('GET', '/v2/nope/manifests/latest'), 404, 'NAME_UNKNOWN'],
  [
    'registry: a blob "sha256:../../etc"',
    registry('GET', '/v2/hostile/repo/blobs/sha256:..%2F..%2Fetc'),
    400,
    'DIGEST_INVALID',
  ],
  [
    'registry: a manifest digest "sha256:ZZ"',
    registry('GET', '/v2/hostile/repo/manifests/sha256:ZZ'),
    400,
    'DIGEST_INVALID',
  ],
  [
    'registry: a tag "../../x"',
    registry('GET', '/v2/hostile/repo/manifests/..%2F..%2Fx'),
    400,
    'TAG_INVALID',
  ],
  [
    'registry: a manifest that is not JSON',
    registry('PUT', '/v2/hostile/repo/manifests/bad', '{', {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    }),
    400,
    'MANIFEST_INVALID',
  ],
  [
    'registry: a manifest naming a blob nobody pushed',
    registry(
      'PUT',
      '/v2/hostile/repo/manifests/ghost',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: ZERO_DIGEST, size: 2 },
        layers: [],
      }),
      { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    ),
    400,
    'MANIFEST_BLOB_UNKNOWN',
  ],
  [
    'registry: a manifest of 5 MB',
    registry('PUT', '/v2/hostile/repo/manifests/big', Buffer.alloc(5 * 1024 * 1024, 0x20), {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    }),
    413,
    'SIZE_INVALID',
  ],
  [
    'registry: a manifest nested 100,000 deep',
    registry('PUT', '/v2/hostile/repo/manifests/deep', nested(100_000), {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
    }),
    400,
    'MANIFEST_INVALID',
  ],
  [
    'registry: a chunk to an upload nobody began',
    registry('PATCH', '/v2/hostile/repo/blobs/uploads/nope', 'x'),
    404,
    'BLOB_UPLOAD_UNKNOWN',
  ],
  [
    'registry: a blob that does not hash to its digest',
    registry('POST', `/v2/hostile/repo/blobs/uploads/?digest=${ZERO_DIGEST}`, 'not zeros'),
    400,
    'DIGEST_INVALID',
  ],
  [
    'registry: deleting a manifest',
    registry('DELETE', '/v2/hostile/repo/manifests/latest'),
    405,
    'UNSUPPORTED',
  ],
];

const dynamodbRows: CaseRow[] = [
  ['DynamoDB: a body that is not JSON', dynamodb('ListTables', '{'), 400, 'SerializationException'],
  ['DynamoDB: operation "constructor"', dynamodb('constructor', {}), 400, 'UnknownOperationException'],
  ['DynamoDB: operation "__proto__"', dynamodb('__proto__', {}), 400, 'UnknownOperationException'],
  [
    'DynamoDB: an item in a table nobody made',
    dynamodb('PutItem', { TableName: 'nope', Item: { pk: { S: 'x' } } }),
    400,
    'ResourceNotFoundException',
  ],
  [
    'DynamoDB: an item over 400 KB',
    dynamodb('PutItem', {
      TableName: 'hostile-table',
      Item: { pk: { S: 'big' }, v: { S: 'x'.repeat(410 * 1024) } },
    }),
    400,
    'ValidationException',
  ],
  [
    'DynamoDB: an item nested 40 deep',
    dynamodb('PutItem', {
      TableName: 'hostile-table',
      Item: { pk: { S: 'deep' }, v: JSON.parse(`${'{"M":{"a":'.repeat(40)}{"S":"x"}${'}}'.repeat(40)}`) },
    }),
    400,
    'ValidationException',
  ],
  [
    'DynamoDB: a key hidden in __proto__',
    dynamodb('PutItem', '{"TableName":"hostile-table","Item":{"__proto__":{"pk":{"S":"evil"}}}}'),
    400,
    'ValidationException',
  ],
  [
    'DynamoDB: a scan limit of −1',
    dynamodb('Scan', { TableName: 'hostile-table', Limit: -1 }),
    400,
    'ValidationException',
  ],
  [
    'DynamoDB: 26 writes in one batch',
    dynamodb('BatchWriteItem', {
      RequestItems: {
        'hostile-table': Array.from({ length: 26 }, (_, i) => ({
          PutRequest: { Item: { pk: { S: `b${i}` } } },
        })),
      },
    }),
    400,
    'ValidationException',
  ],
  [
    'DynamoDB: a key condition that does not parse',
    dynamodb('Query', { TableName: 'hostile-table', KeyConditionExpression: 'pk = = :x' }),
    400,
    'ValidationException',
  ],
  [
    'DynamoDB: a table "../x"',
    dynamodb('CreateTable', {
      TableName: '../x',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
    400,
    'ValidationException',
  ],
  [
    'DynamoDB: a request nested 100,000 deep',
    dynamodb('PutItem', `{"TableName":"hostile-table","Item":{"pk":{"S":"x"},"v":${nested(100_000)}}}`),
    400,
    'SerializationException',
  ],
  [
    'DynamoDB: a 17 MB body',
    dynamodb('ListTables', `{"x":"${'a'.repeat(17 * 1024 * 1024)}"}`),
    413,
    'RequestEntityTooLarge',
  ],
];

const consoleRows: CaseRow[] = [
  [
    'console: "../../etc/passwd", encoded',
    console('GET', '/_stepship/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd'),
    404,
  ],
  ['console: dot segments out of the console', console('GET', '/_stepship/console/../../etc/passwd'), 403],
  ['console: a page "constructor"', console('GET', '/_stepship/console/constructor'), 404],
  ['console: a page "__proto__"', console('GET', '/_stepship/console/__proto__'), 404],
  ['console: a POST', console('POST', '/_stepship/console/'), 405],
  [
    'console: an execution that is no ARN',
    console('GET', '/_stepship/console/execution?arn=../../etc/passwd'),
    400,
  ],
  [
    'console: an execution nobody started',
    console('GET', `/_stepship/console/execution?arn=${encodeURIComponent(EXECUTION)}`),
    404,
  ],
  [
    'console: a negative "after"',
    console('GET', `/_stepship/console/execution.json?arn=${encodeURIComponent(EXECUTION)}&after=-1`),
    400,
  ],
  ['console: a log group with markup', console('GET', '/_stepship/console/logs?group=%3Cscript%3E'), 400],
  [
    'console: a log start that is no number',
    console('GET', '/_stepship/console/logs?group=/hostile/logs&start=abc'),
    400,
  ],
];

export const REST_CASES = cases([...lambdaRows, ...s3Rows]);
export const REGISTRY_CASES = cases(registryRows);
export const DYNAMODB_CASES = cases(dynamodbRows);
export const CONSOLE_CASES = cases(consoleRows);

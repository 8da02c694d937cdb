import { arns, parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import { type Check, check } from './rules.js';

/** What a REST request (S3, Lambda) asks of IAM, read from its method and path as the service routes it. */
export type RestChecks = (
  method: string,
  url: URL,
  headers: Record<string, unknown>,
  scope: Scope,
) => Check[];

/** A path segment decoded; malformed escapes are kept as sent (the service refuses them itself). */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const LIST_FUNCTIONS = /^\/2015-03-31\/functions\/?$/;

/** A function by name, partial ARN (`name:qualifier`) or ARN, with the `Qualifier` parameter's version or alias. */
function functionArn(scope: Scope, reference: string, qualifier: string | null): string {
  const base = parseArn(reference) ? reference : arns.lambdaFunction(scope, reference);
  return qualifier && !/:function:[^:]+:[^:]+$/.test(base) ? `${base}:${qualifier}` : base;
}

/** Lambda: Invoke is lambda:InvokeFunction on the function (version or alias) it names; ListFunctions on `*`. */
export const lambdaChecks: RestChecks = (method, url, _headers, scope) => {
  const invoke = INVOKE.exec(url.pathname);
  if (method === 'POST' && invoke)
    return [
      check(
        'lambda:InvokeFunction',
        functionArn(scope, decoded(invoke[1] ?? ''), url.searchParams.get('Qualifier')),
      ),
    ];
  if (method === 'GET' && LIST_FUNCTIONS.test(url.pathname)) return [check('lambda:ListFunctions', '*')];
  return [];
};

/**
 * S3 (path-style, as the local cloud serves it): object reads and writes on
 * the object's ARN (HeadObject is s3:GetObject), listings and HeadBucket on
 * the bucket's with the `s3:prefix`, `s3:delimiter` and `s3:max-keys` keys;
 * a copy also reads its source.
 */
export const s3Checks: RestChecks = (method, url, headers) => {
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decoded(rest.join('/'));
  if (bucket === '') return method === 'GET' ? [check('s3:ListAllMyBuckets', '*')] : [];
  const bucketArn = arns.s3Bucket(bucket);
  if (key === '') {
    if (method === 'PUT') return [check('s3:CreateBucket', bucketArn)];
    if (method === 'DELETE') return [check('s3:DeleteBucket', bucketArn)];
    if (method === 'GET' && url.searchParams.has('location'))
      return [check('s3:GetBucketLocation', bucketArn)];
    if (method === 'GET' || method === 'HEAD')
      return [
        check('s3:ListBucket', bucketArn, {
          's3:prefix': url.searchParams.get('prefix') ?? undefined,
          's3:delimiter': url.searchParams.get('delimiter') ?? undefined,
          's3:max-keys': url.searchParams.get('max-keys') ?? undefined,
        }),
      ];
    return [];
  }
  const object = arns.s3Object(bucket, key);
  if (method === 'GET' || method === 'HEAD') return [check('s3:GetObject', object)];
  if (method === 'DELETE') return [check('s3:DeleteObject', object)];
  if (method === 'PUT') {
    const source = headers['x-amz-copy-source'];
    const copied = typeof source === 'string' ? decoded(source.split('?')[0] ?? '').replace(/^\//, '') : '';
    const [sourceBucket = '', ...sourceKey] = copied.split('/');
    return [
      check('s3:PutObject', object),
      ...(copied ? [check('s3:GetObject', arns.s3Object(sourceBucket, sourceKey.join('/')))] : []),
    ];
  }
  return [];
};

/** The REST services whose requests are checked, by the service name they are signed for. */
export const REST_CHECKS: ReadonlyMap<string, RestChecks> = new Map([
  ['lambda', lambdaChecks],
  ['s3', s3Checks],
]);

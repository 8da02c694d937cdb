import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { paginate } from '../../core/pagination.js';
import type { RequestContext, Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { noSuchBucket, S3Error, writeS3Error, xml } from './errors.js';
import { checkPayloadHash } from './payload-hash.js';
import { type Bucket, S3Store } from './store.js';

const NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_OBJECT_BYTES = 512 * 1024 * 1024;
const MAX_BUCKET_CONFIGURATION_BYTES = 64 * 1024;
/** Query parameters that name no subresource: the SDK's operation id, and a presigned URL's signature. */
const PLAIN_QUERY = new Set([
  'x-id',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);
/** ListBuckets' own query parameters (paging and filtering), not subresources. */
const LIST_BUCKETS_QUERY = new Set(['max-buckets', 'continuation-token', 'prefix', 'bucket-region']);

/**
 * Just enough S3 for build sources, path-style: buckets (Create, Head,
 * Delete, ListBuckets) and objects (Put, Get, Head, Delete) in memory, one
 * store per account and region. Bucket names are global, as in S3: a bucket
 * of another region answers PermanentRedirect, of another account
 * AccessDenied. What it does not implement answers NotImplemented, never a
 * wrong success.
 */
export class S3 {
  readonly stores = new RegionalStores(() => new S3Store());

  createBucket(scope: Scope, name: string): Bucket {
    if (!isBucketName(name))
      throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
    const owner = this.owner(name);
    if (owner && owner.scope.accountId !== scope.accountId)
      throw new S3Error(409, 'BucketAlreadyExists', 'The requested bucket name is not available.', {
        BucketName: name,
      });
    if (owner) {
      // us-east-1 answers a repeated create by the owner with success, every other region with an error.
      if (owner.scope.region === 'us-east-1' && scope.region === 'us-east-1') return owner.bucket;
      throw new S3Error(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: name },
      );
    }
    const bucket: Bucket = { name, createdAt: new Date(), objects: new Map() };
    this.stores.of(scope).buckets.set(name, bucket);
    return bucket;
  }

  get(scope: Scope, bucket: string, key: string): Buffer | undefined {
    return this.stores.of(scope).buckets.get(bucket)?.objects.get(key)?.body;
  }

  put(
    scope: Scope,
    bucketName: string,
    key: string,
    body: Buffer,
    contentType = 'application/octet-stream',
  ): string {
    const bucket = this.bucket(scope, bucketName);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    bucket.objects.set(key, { body, etag, contentType, lastModified: new Date() });
    return etag;
  }

  /** The bucket of that name in `scope`, or S3's error for where it is instead. */
  private bucket(scope: Scope, name: string): Bucket {
    const bucket = this.stores.of(scope).buckets.get(name);
    if (bucket) return bucket;
    const owner = this.owner(name);
    if (!owner) throw noSuchBucket(name);
    if (owner.scope.accountId !== scope.accountId) throw new S3Error(403, 'AccessDenied', 'Access Denied');
    throw new S3Error(
      301,
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      { Bucket: name, Endpoint: `s3.${owner.scope.region}.amazonaws.com` },
      { 'x-amz-bucket-region': owner.scope.region },
    );
  }

  private owner(name: string): { scope: Scope; bucket: Bucket } | undefined {
    for (const [scope, store] of this.stores.entries()) {
      const bucket = store.buckets.get(name);
      if (bucket) return { scope, bucket };
    }
    return undefined;
  }

  readonly rest = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    ctx: RequestContext,
  ): Promise<void> => {
    try {
      await this.route(req, res, url, ctx);
    } catch (err) {
      const error =
        err instanceof S3Error
          ? err
          : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      writeS3Error(res, error, ctx.requestId, req.method === 'HEAD');
    }
  };

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    ctx: RequestContext,
  ): Promise<void> {
    const [, rawBucket = '', ...rest] = url.pathname.split('/');
    const bucketName = decode(rawBucket);
    const key = decode(rest.join('/'));
    const listing = bucketName === '' ? LIST_BUCKETS_QUERY : new Set<string>();
    const subresources = [...url.searchParams.keys()].filter((k) => !PLAIN_QUERY.has(k) && !listing.has(k));
    if (subresources.length > 0)
      throw new S3Error(
        501,
        'NotImplemented',
        `The local cloud does not implement the ${subresources.join(', ')} subresource`,
      );
    const headers = { 'x-amz-request-id': ctx.requestId };
    if (bucketName === '') {
      if (req.method !== 'GET') throw methodNotAllowed(req, 'SERVICE');
      const prefix = url.searchParams.get('prefix') ?? '';
      const all = [...this.stores.of(ctx).buckets.values()]
        .filter((b) => b.name.startsWith(prefix))
        .sort((a, b) => a.name.localeCompare(b.name));
      const size = url.searchParams.get('max-buckets');
      const invalid = (message: string) => new S3Error(400, 'InvalidArgument', message);
      const page = paginate(all, {
        token: url.searchParams.get('continuation-token') ?? undefined,
        size: size === null ? undefined : Number(size),
        defaultSize: 10_000,
        maxSize: 10_000,
        sizeMember: 'max-buckets',
        context: `ListBuckets:${prefix}`,
        invalidToken: invalid,
        invalidSize: invalid,
      });
      const buckets = page.items.map((b) => ({ Name: b.name, CreationDate: b.createdAt.toISOString() }));
      const owner = { ID: ctx.accountId, DisplayName: 'stepship-local' };
      res.writeHead(200, { ...headers, 'content-type': 'application/xml' }).end(
        document({
          ListAllMyBucketsResult: {
            '@_xmlns': NAMESPACE,
            Owner: owner,
            Buckets: { Bucket: buckets },
            ...(page.nextToken ? { ContinuationToken: page.nextToken } : {}),
            ...(prefix ? { Prefix: prefix } : {}),
          },
        }),
      );
      return;
    }
    if (key === '') {
      const configuration = req.method === 'PUT' ? await readBucketConfiguration(req) : undefined;
      return this.bucketRequest(req, res, ctx, bucketName, headers, configuration);
    }
    const bucket = this.bucket(ctx, bucketName);
    switch (req.method) {
      case 'PUT': {
        if (req.headers['x-amz-copy-source'])
          throw new S3Error(501, 'NotImplemented', 'The local cloud does not implement CopyObject');
        if (String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-'))
          throw new S3Error(
            501,
            'NotImplemented',
            'The local cloud does not implement aws-chunked (streaming) uploads; send the body whole',
          );
        const body = await readObject(req);
        checkPayloadHash(req, body);
        const etag = this.put(
          ctx,
          bucket.name,
          key,
          body,
          String(req.headers['content-type'] ?? 'application/octet-stream'),
        );
        res.writeHead(200, { ...headers, etag }).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const object = bucket.objects.get(key);
        if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
        res.writeHead(200, {
          ...headers,
          'content-type': object.contentType,
          'content-length': object.body.length,
          etag: object.etag,
          'last-modified': object.lastModified.toUTCString(),
        });
        res.end(req.method === 'GET' ? object.body : undefined);
        return;
      }
      case 'DELETE':
        bucket.objects.delete(key);
        res.writeHead(204, headers).end();
        return;
      default:
        throw methodNotAllowed(req, 'OBJECT');
    }
  }

  private bucketRequest(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
    name: string,
    headers: Record<string, string>,
    configuration?: BucketConfiguration,
  ): void {
    switch (req.method) {
      case 'PUT':
        checkLocation(configuration, ctx.region);
        this.createBucket(ctx, name);
        res.writeHead(200, { ...headers, location: `/${name}` }).end();
        return;
      case 'HEAD':
        this.bucket(ctx, name);
        res.writeHead(200, { ...headers, 'x-amz-bucket-region': ctx.region }).end();
        return;
      case 'DELETE': {
        const bucket = this.bucket(ctx, name);
        if (bucket.objects.size > 0)
          throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {
            BucketName: name,
          });
        this.stores.of(ctx).buckets.delete(name);
        res.writeHead(204, headers).end();
        return;
      }
      case 'GET':
        this.bucket(ctx, name);
        throw new S3Error(501, 'NotImplemented', 'The local cloud does not implement listing objects');
      default:
        throw methodNotAllowed(req, 'BUCKET');
    }
  }
}

export function isBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

function methodNotAllowed(req: IncomingMessage, resourceType: string): S3Error {
  return new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    Method: req.method ?? '',
    ResourceType: resourceType,
  });
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

async function readObject(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_OBJECT_BYTES)
      throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
        MaxSizeAllowed: String(MAX_OBJECT_BYTES),
      });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface BucketConfiguration {
  locationConstraint?: string;
}

/** CreateBucket's optional `<CreateBucketConfiguration>`; a body that is not XML is MalformedXML, as S3 answers. */
async function readBucketConfiguration(req: IncomingMessage): Promise<BucketConfiguration> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BUCKET_CONFIGURATION_BYTES)
      throw new S3Error(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  checkPayloadHash(req, body);
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  if (XMLValidator.validate(text) !== true)
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  const parsed = new XMLParser({ processEntities: false }).parse(text) as {
    CreateBucketConfiguration?: { LocationConstraint?: unknown };
  };
  const constraint = parsed.CreateBucketConfiguration?.LocationConstraint;
  return typeof constraint === 'string' && constraint !== '' ? { locationConstraint: constraint } : {};
}

/** S3 creates a bucket in the region it is asked in: a constraint naming another is refused. */
function checkLocation(configuration: BucketConfiguration | undefined, region: string): void {
  const constraint = configuration?.locationConstraint;
  if (constraint === undefined || constraint === region) return;
  throw new S3Error(
    400,
    'IllegalLocationConstraintException',
    `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
  );
}

function document(body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build(body)}`;
}

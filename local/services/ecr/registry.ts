import { createReadStream, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { RequestContext, Scope } from '../../core/scope.js';
import { AwsError } from '../../http/aws-error.js';
import { InvalidDigestError, isDigest, sha256 } from '../../images/digest.js';
import type { ImageStore } from '../../images/image-store.js';
import { MAX_MANIFEST_BYTES } from '../../images/manifest.js';
import type { Ecr } from './provider.js';
import type { RegistryTokens } from './registry-tokens.js';
import { type Upload, UploadLimitError, type UploadLimits, Uploads } from './uploads.js';
import { isRepositoryName } from './validation.js';

const API_HEADERS = { 'docker-distribution-api-version': 'registry/2.0' };
const TAG = /^[\w][\w.-]{0,127}$/;

/** An answer in the registry API's error format. */
class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** ECR's errors for a push, as the registry API words them. */
const FROM_ECR: Record<string, [number, string]> = {
  RepositoryNotFoundException: [404, 'NAME_UNKNOWN'],
  InvalidParameterException: [400, 'MANIFEST_INVALID'],
  LayersNotFoundException: [400, 'MANIFEST_BLOB_UNKNOWN'],
  ReferencedImagesNotFoundException: [400, 'MANIFEST_BLOB_UNKNOWN'],
  ImageDigestDoesNotMatchException: [400, 'DIGEST_INVALID'],
  ImageTagAlreadyExistsException: [400, 'TAG_INVALID'],
};

/** Who may use the registry API: ECR's tokens, required always (strict) or whenever credentials come. */
export interface RegistryAuth {
  tokens: RegistryTokens;
  /** Every request must carry a valid token; otherwise only requests that carry credentials are checked. */
  required: boolean;
  /** The realm named in the challenge (the endpoint's URL). */
  realm: string;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  idleMs: 15 * 60 * 1000,
  maxBlobBytes: 10 * 1024 ** 3,
  maxUploads: 1000,
};

/**
 * The local ECR's registry API (the OCI distribution protocol Docker speaks),
 * under `/v2/` on the endpoint: blob uploads (monolithic, chunked, or mounted
 * from a blob the store has), blob and manifest reads, manifest pushes —
 * which land in ECR as PutImage does, checked the same way and emitting the
 * push event. Digests are checked before they name a file; a manifest must
 * hash to the digest it is pushed under. Docker treats 127.0.0.0/8
 * registries as insecure, so plain HTTP works; any login is accepted.
 */
export class Registry {
  readonly uploads: Uploads;

  constructor(
    private readonly images: ImageStore,
    private readonly ecr: Ecr,
    limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
    now: () => number = Date.now,
    private readonly auth?: RegistryAuth,
  ) {
    this.uploads = new Uploads(images.uploads, limits, now);
  }

  readonly handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    ctx: RequestContext,
  ): Promise<void> => {
    try {
      this.authorize(req);
      this.uploads.expireIdle();
      await this.route(req, res, url.pathname, url.searchParams, ctx);
    } catch (err) {
      writeError(res, asRegistryError(err), req.method === 'HEAD');
    }
  };

  /**
   * As ECR's registry does: a Basic challenge for requests without
   * credentials (when they are required), and credentials that are not
   * `AWS` with a password GetAuthorizationToken issued are refused.
   */
  private authorize(req: IncomingMessage): void {
    if (!this.auth) return;
    const header = req.headers.authorization;
    const challenge = { 'www-authenticate': `Basic realm="${this.auth.realm}/",service="ecr.amazonaws.com"` };
    if (header === undefined) {
      if (!this.auth.required) return;
      req.resume();
      throw new RegistryError(
        401,
        'UNAUTHORIZED',
        'authentication required: docker login with a password from aws ecr get-login-password',
        challenge,
      );
    }
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    const [user, ...rest] = basic
      ? Buffer.from(basic[1] ?? '', 'base64')
          .toString('utf8')
          .split(':')
      : [];
    if (user === 'AWS' && this.auth.tokens.verify(rest.join(':')) !== undefined) return;
    req.resume();
    throw new RegistryError(401, 'DENIED', 'Your authorization token is invalid or has expired', challenge);
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    scope: Scope,
  ): Promise<void> {
    if (path === '/v2/' || path === '/v2') {
      res.writeHead(200, { ...API_HEADERS, 'content-type': 'application/json' }).end('{}');
      return;
    }
    const match = /^\/v2\/(.+?)\/(blobs\/uploads|blobs|manifests|tags)\/([^/]*)$/.exec(path);
    if (!match) throw new RegistryError(404, 'NAME_UNKNOWN', `No registry route for ${req.method} ${path}`);
    const [, rawName = '', kind, rawRef = ''] = match;
    const name = decode(rawName);
    if (!isRepositoryName(name))
      throw new RegistryError(400, 'NAME_INVALID', `Invalid repository name ${JSON.stringify(name)}`);
    const ref = decode(rawRef);
    this.ecr.repository(scope, name);
    if (kind === 'blobs/uploads') return this.upload(req, res, scope, name, ref, query);
    if (kind === 'blobs') return this.readBlob(req, res, name, ref);
    if (kind === 'manifests') return this.manifest(req, res, scope, name, ref);
    if (ref === 'list' && req.method === 'GET') {
      const repo = this.ecr.repository(scope, name);
      const tags = [...repo.images.values()].flatMap((i) => [...i.tags]).sort();
      res
        .writeHead(200, { ...API_HEADERS, 'content-type': 'application/json' })
        .end(JSON.stringify({ name, tags }));
      return;
    }
    throw new RegistryError(404, 'NAME_UNKNOWN', `No registry route for ${req.method} ${path}`);
  }

  private async upload(
    req: IncomingMessage,
    res: ServerResponse,
    scope: Scope,
    name: string,
    id: string,
    query: URLSearchParams,
  ): Promise<void> {
    const digest = query.get('digest');
    if (digest !== null && !isDigest(digest)) throw new InvalidDigestError(digest);
    if (req.method === 'POST' && id === '') {
      const mount = query.get('mount');
      if (mount !== null && isDigest(mount) && this.images.hasBlob(mount))
        return blobCreated(res, name, mount);
      const upload = this.uploads.start(scope, name);
      if (digest === null) return uploadAccepted(res, name, upload, 202);
      return this.complete(req, res, upload, digest);
    }
    const upload = this.uploads.find(scope, name, id);
    if (!upload) throw new RegistryError(404, 'BLOB_UPLOAD_UNKNOWN', `Upload ${id} is not in progress`);
    switch (req.method) {
      case 'GET':
        return uploadAccepted(res, name, upload, 204);
      case 'DELETE':
        this.uploads.cancel(upload);
        res.writeHead(204, API_HEADERS).end();
        return;
      case 'PATCH': {
        checkBusy(upload);
        const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
        if (range && Number(range[1]) !== upload.size)
          throw new RegistryError(
            416,
            'BLOB_UPLOAD_INVALID',
            `The chunk starts at ${range[1]}, the upload is at ${upload.size}`,
            rangeHeader(upload),
          );
        await this.uploads.append(upload, req);
        return uploadAccepted(res, name, upload, 202);
      }
      case 'PUT':
        if (digest === null) throw new InvalidDigestError('');
        return this.complete(req, res, upload, digest);
      default:
        throw new RegistryError(405, 'UNSUPPORTED', `${req.method} is not supported on an upload`);
    }
  }

  /** The last bytes of an upload (if any) and its end: the content must hash to `digest`. */
  private async complete(
    req: IncomingMessage,
    res: ServerResponse,
    upload: Upload,
    digest: string,
  ): Promise<void> {
    checkBusy(upload);
    try {
      await this.uploads.append(upload, req);
    } catch (err) {
      this.uploads.cancel(upload);
      throw err;
    }
    const done = this.uploads.finish(upload);
    if (done.digest !== digest) {
      rmSync(done.file, { force: true });
      throw new RegistryError(
        400,
        'DIGEST_INVALID',
        `The uploaded content hashes to ${done.digest}, not ${digest}`,
      );
    }
    this.images.adoptBlob(done.file, digest);
    blobCreated(res, upload.repository, digest);
  }

  private async readBlob(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    digest: string,
  ): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new RegistryError(405, 'UNSUPPORTED', `${req.method} is not supported on a blob`);
    const size = this.images.blobSize(digest);
    if (size === undefined)
      throw new RegistryError(404, 'BLOB_UNKNOWN', `Blob ${digest} is not in the repository ${name}`);
    res.writeHead(200, {
      ...API_HEADERS,
      'content-type': 'application/octet-stream',
      'content-length': size,
      'docker-content-digest': digest,
    });
    if (req.method === 'HEAD') res.end();
    else await pipeline(createReadStream(this.images.blobPath(digest)), res);
  }

  private async manifest(
    req: IncomingMessage,
    res: ServerResponse,
    scope: Scope,
    name: string,
    ref: string,
  ): Promise<void> {
    const byDigest = ref.includes(':');
    if (byDigest && !isDigest(ref)) throw new InvalidDigestError(ref);
    if (!byDigest && !TAG.test(ref))
      throw new RegistryError(400, 'TAG_INVALID', `Invalid tag ${JSON.stringify(ref)}`);
    if (req.method === 'PUT') {
      const bytes = await readLimited(req, MAX_MANIFEST_BYTES);
      const text = bytes.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(bytes))
        throw new RegistryError(400, 'MANIFEST_INVALID', 'The manifest is not UTF-8 text');
      const digest = sha256(bytes);
      if (byDigest && digest !== ref)
        throw new RegistryError(400, 'DIGEST_INVALID', `The manifest hashes to ${digest}, not ${ref}`);
      const image = this.ecr.putImage(
        scope,
        name,
        {
          imageManifest: text,
          ...(byDigest ? { imageDigest: ref } : { imageTag: ref }),
          ...(req.headers['content-type'] ? { imageManifestMediaType: req.headers['content-type'] } : {}),
        },
        { repeatIsError: false },
      );
      res
        .writeHead(201, {
          ...API_HEADERS,
          location: `/v2/${name}/manifests/${image.digest}`,
          'docker-content-digest': image.digest,
          'content-length': '0',
        })
        .end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new RegistryError(405, 'UNSUPPORTED', `${req.method} is not supported on a manifest`);
    const repo = this.ecr.repository(scope, name);
    const image = this.ecr.findImage(repo, byDigest ? { imageDigest: ref } : { imageTag: ref });
    if (!image)
      throw new RegistryError(404, 'MANIFEST_UNKNOWN', `Manifest ${ref} is not in the repository ${name}`);
    res.writeHead(200, {
      ...API_HEADERS,
      'content-type': image.manifestMediaType,
      'content-length': Buffer.byteLength(image.manifest),
      'docker-content-digest': image.digest,
    });
    res.end(req.method === 'HEAD' ? undefined : image.manifest);
  }
}

function checkBusy(upload: Upload): void {
  if (upload.busy)
    throw new RegistryError(
      416,
      'BLOB_UPLOAD_INVALID',
      'Another request is writing to this upload',
      rangeHeader(upload),
    );
}

function rangeHeader(upload: Upload): Record<string, string> {
  return { range: `0-${Math.max(0, upload.size - 1)}` };
}

function uploadAccepted(res: ServerResponse, name: string, upload: Upload, status: 202 | 204): void {
  res
    .writeHead(status, {
      ...API_HEADERS,
      location: `/v2/${name}/blobs/uploads/${upload.id}`,
      'docker-upload-uuid': upload.id,
      ...rangeHeader(upload),
      'content-length': '0',
    })
    .end();
}

function blobCreated(res: ServerResponse, name: string, digest: string): void {
  res
    .writeHead(201, {
      ...API_HEADERS,
      location: `/v2/${name}/blobs/${digest}`,
      'docker-content-digest': digest,
      'content-length': '0',
    })
    .end();
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RegistryError(400, 'NAME_INVALID', `Malformed percent-encoding in ${JSON.stringify(part)}`);
  }
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new RegistryError(413, 'SIZE_INVALID', `A manifest may be at most ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function asRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof InvalidDigestError) return new RegistryError(400, 'DIGEST_INVALID', err.message);
  if (err instanceof UploadLimitError)
    return new RegistryError(err.code === 'SIZE_INVALID' ? 413 : 429, err.code, err.message);
  if (err instanceof AwsError) {
    const [status, code] = FROM_ECR[err.code] ?? [400, 'UNSUPPORTED'];
    return new RegistryError(status, code, err.message);
  }
  return new RegistryError(500, 'UNKNOWN', err instanceof Error ? err.message : String(err));
}

function writeError(res: ServerResponse, error: RegistryError, headOnly: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.status, { ...API_HEADERS, ...error.headers, 'content-type': 'application/json' });
  res.end(
    headOnly
      ? undefined
      : JSON.stringify({ errors: [{ code: error.code, message: error.message, detail: null }] }),
  );
}

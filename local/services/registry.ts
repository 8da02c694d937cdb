import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/json-protocol.js';
import { type ImageStore, sha256 } from '../images/image-store.js';
import type { EcrService } from './ecr.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The local ECR's registry API (the OCI distribution protocol Docker speaks),
 * under `/v2/` on the endpoint: blob uploads (monolithic or chunked), blob
 * and manifest reads, and manifest pushes — which land in ECR as PutImage
 * does, emitting the push event. Docker treats 127.0.0.0/8 registries as
 * insecure, so plain HTTP works; any login is accepted.
 */
export class RegistryService {
  private readonly uploads = new Map<string, Buffer[]>();

  constructor(
    private readonly store: ImageStore,
    private readonly ecr: EcrService,
  ) {}

  readonly handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const headers = { 'docker-distribution-api-version': 'registry/2.0' };
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end('{}');
      return;
    }
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname);
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    try {
      if (upload) return await this.upload(req, res, url, upload[1] ?? '', upload[2] ?? '', headers);
      if (blob) return this.readBlob(req, res, blob[2] ?? '', headers);
      if (manifest)
        return await this.manifest(
          req,
          res,
          manifest[1] ?? '',
          decodeURIComponent(manifest[2] ?? ''),
          headers,
        );
      registryError(res, 404, 'NAME_UNKNOWN', `no route for ${req.method} ${url.pathname}`);
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.name === 'RepositoryNotFoundException') return registryError(res, 404, 'NAME_UNKNOWN', e.message);
      if (e.name === 'LayersNotFoundException') return registryError(res, 400, 'BLOB_UNKNOWN', e.message);
      registryError(res, 400, 'MANIFEST_INVALID', e.message);
    }
  };

  private async upload(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    name: string,
    id: string,
    headers: Record<string, string>,
  ): Promise<void> {
    this.ecr.repository(name);
    const digest = url.searchParams.get('digest');
    if (req.method === 'POST') {
      if (digest) return this.finish(res, name, [await readBody(req, 4 * 1024 ** 3)], digest, headers);
      const uuid = randomUUID();
      this.uploads.set(uuid, []);
      res
        .writeHead(202, {
          ...headers,
          location: `/v2/${name}/blobs/uploads/${uuid}`,
          'docker-upload-uuid': uuid,
          range: '0-0',
          'content-length': '0',
        })
        .end();
      return;
    }
    const chunks = this.uploads.get(id);
    if (!chunks) return registryError(res, 404, 'BLOB_UPLOAD_UNKNOWN', `upload ${id} is not in progress`);
    chunks.push(await readBody(req, 4 * 1024 ** 3));
    if (req.method === 'PATCH') {
      const size = chunks.reduce((n, c) => n + c.length, 0);
      res
        .writeHead(202, {
          ...headers,
          location: `/v2/${name}/blobs/uploads/${id}`,
          'docker-upload-uuid': id,
          range: `0-${Math.max(0, size - 1)}`,
          'content-length': '0',
        })
        .end();
      return;
    }
    if (req.method === 'PUT' && digest) {
      this.uploads.delete(id);
      return this.finish(res, name, chunks, digest, headers);
    }
    registryError(res, 405, 'UNSUPPORTED', `${req.method} on an upload`);
  }

  private finish(
    res: ServerResponse,
    name: string,
    chunks: Buffer[],
    digest: string,
    headers: Record<string, string>,
  ): void {
    const data = Buffer.concat(chunks);
    if (!DIGEST.test(digest) || sha256(data) !== digest) {
      registryError(res, 400, 'DIGEST_INVALID', `the upload does not match ${digest}`);
      return;
    }
    this.store.putBlob(data);
    res
      .writeHead(201, {
        ...headers,
        location: `/v2/${name}/blobs/${digest}`,
        'docker-content-digest': digest,
        'content-length': '0',
      })
      .end();
  }

  private readBlob(
    req: IncomingMessage,
    res: ServerResponse,
    digest: string,
    headers: Record<string, string>,
  ): void {
    if (!this.store.hasBlob(digest)) {
      registryError(res, 404, 'BLOB_UNKNOWN', `blob ${digest} unknown`, req.method === 'HEAD');
      return;
    }
    const data = this.store.readBlob(digest);
    res.writeHead(200, {
      ...headers,
      'content-type': 'application/octet-stream',
      'content-length': data.length,
      'docker-content-digest': digest,
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  private async manifest(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    ref: string,
    headers: Record<string, string>,
  ): Promise<void> {
    if (req.method === 'PUT') {
      const body = (await readBody(req)).toString('utf8');
      const isDigest = DIGEST.test(ref);
      const image = this.ecr.putImage(
        name,
        body,
        isDigest ? undefined : ref,
        String(req.headers['content-type'] ?? ''),
      );
      res
        .writeHead(201, {
          ...headers,
          location: `/v2/${name}/manifests/${image.digest}`,
          'docker-content-digest': image.digest,
          'content-length': '0',
        })
        .end();
      return;
    }
    const image = this.ecr.findImage(name, DIGEST.test(ref) ? { imageDigest: ref } : { imageTag: ref });
    if (!image)
      return registryError(res, 404, 'MANIFEST_UNKNOWN', `manifest ${ref} unknown`, req.method === 'HEAD');
    res.writeHead(200, {
      ...headers,
      'content-type': image.mediaType,
      'content-length': Buffer.byteLength(image.manifest),
      'docker-content-digest': image.digest,
    });
    res.end(req.method === 'HEAD' ? undefined : image.manifest);
  }
}

function registryError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headOnly = false,
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'docker-distribution-api-version': 'registry/2.0',
  });
  res.end(headOnly ? undefined : JSON.stringify({ errors: [{ code, message }] }));
}

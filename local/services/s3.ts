import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { readBody } from '../http/json-protocol.js';

interface StoredObject {
  body: Buffer;
  etag: string;
  contentType: string;
  lastModified: Date;
}

const xml = new XMLBuilder({ format: false });

/**
 * Just enough S3 for build sources (path-style requests only): buckets from
 * the template, PutObject / GetObject / HeadObject / DeleteObject, in memory.
 */
export class S3Service {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  get(bucket: string, key: string): Buffer | undefined {
    return this.buckets.get(bucket)?.get(key)?.body;
  }

  put(bucket: string, key: string, body: Buffer, contentType = 'application/octet-stream'): string {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`NoSuchBucket: ${bucket}`);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    objects.set(key, { body, etag, contentType, lastModified: new Date() });
    return etag;
  }

  readonly rest = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (bucket === '') {
      const buckets = [...this.buckets.keys()].map((Name) => ({
        Name,
        CreationDate: new Date().toISOString(),
      }));
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(xml.build({ ListAllMyBucketsResult: { Buckets: { Bucket: buckets } } }));
      return;
    }
    const objects = this.buckets.get(bucket);
    if (!objects) return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', bucket);
    if (key === '')
      return s3Error(res, 501, 'NotImplemented', 'The local cloud serves object operations only');
    switch (req.method) {
      case 'PUT': {
        const etag = this.put(
          bucket,
          key,
          await readBody(req, 512 * 1024 * 1024),
          String(req.headers['content-type'] ?? 'application/octet-stream'),
        );
        res.writeHead(200, { etag }).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const object = objects.get(key);
        if (!object)
          return s3Error(
            res,
            404,
            'NoSuchKey',
            'The specified key does not exist.',
            key,
            req.method === 'HEAD',
          );
        res.writeHead(200, {
          'content-type': object.contentType,
          'content-length': object.body.length,
          etag: object.etag,
          'last-modified': object.lastModified.toUTCString(),
        });
        res.end(req.method === 'GET' ? object.body : undefined);
        return;
      }
      case 'DELETE':
        objects.delete(key);
        res.writeHead(204).end();
        return;
      default:
        s3Error(res, 405, 'MethodNotAllowed', `${req.method} is not allowed here`);
    }
  };
}

function s3Error(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  resource = '',
  headOnly = false,
): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-error-code': code });
  res.end(headOnly ? undefined : xml.build({ Error: { Code: code, Message: message, Resource: resource } }));
}

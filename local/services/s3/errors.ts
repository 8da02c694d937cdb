import type { ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';

export const xml = new XMLBuilder({ format: false, ignoreAttributes: false });

/**
 * An error as S3 answers it: the HTTP status, and an `<Error>` document
 * with its code, message, the resource it concerns (`BucketName`, `Key`…)
 * and the request id.
 */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });

export function writeS3Error(
  res: ServerResponse,
  error: S3Error,
  requestId: string,
  headOnly: boolean,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'x-amz-request-id': requestId,
    ...error.headers,
  });
  res.end(
    headOnly
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build({
          Error: { Code: error.code, Message: error.message, ...error.details, RequestId: requestId },
        })}`,
  );
}

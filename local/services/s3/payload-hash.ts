import type { IncomingMessage } from 'node:http';
import { declaredPayloadDigest, payloadDigest } from '../../iam/signature-match.js';
import { S3Error } from './errors.js';

/**
 * S3 compares the body with the SHA-256 the request declares
 * (`x-amz-content-sha256`) when that is a digest — not UNSIGNED-PAYLOAD, nor
 * a STREAMING-… marker, whose chunks carry their own — and refuses a body
 * that isn't the one signed with XAmzContentSHA256Mismatch, storing nothing.
 */
export function checkPayloadHash(req: IncomingMessage, body: Buffer): void {
  const declared = declaredPayloadDigest(req.headers);
  if (declared === undefined) return;
  const computed = payloadDigest(body);
  if (computed === declared) return;
  throw new S3Error(
    400,
    'XAmzContentSHA256Mismatch',
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
    { ClientComputedContentSHA256: declared, S3ComputedContentSHA256: computed },
  );
}

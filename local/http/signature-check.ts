import type { IncomingMessage } from 'node:http';
import {
  IncompleteSignature,
  parseAuthorization,
  parsePresigned,
  type ReceivedRequest,
  type SigV4Authorization,
  signingTime,
} from '../iam/signature.js';
import { presignedSignatureMatches, signatureMatches } from '../iam/signature-match.js';
import { readBody } from './json-protocol.js';
import { replay } from './replay.js';

/** Why a signature is refused. */
export type SignatureFault = 'unknown-key' | 'mismatch' | 'expired' | 'malformed';

export type SignatureVerdict = { ok: true; request: IncomingMessage } | { ok: false; fault: SignatureFault };

const MAX_SKEW_MS = 15 * 60 * 1000;
/** Above any service's own request limit (a function's zip, base64 in JSON), which it then applies. */
const MAX_SIGNED_BODY = 80 * 1024 * 1024;

/**
 * Strict mode's check of the service APIs' SigV4 signatures, with the one
 * canonical request of `iam/signature-match.ts` (API Gateway's invoke URLs
 * check theirs with it too): the key must be one the local cloud issued, the
 * signature the one its secret makes, and its time within 15 minutes (a
 * presigned URL: within its expiry). How each service words a refusal is in
 * `signature-faults.ts`. S3's body is not read here: its declared payload
 * hash is what is signed, and S3 compares the body with it as it reads it.
 */
export class SignatureCheck {
  constructor(
    /** The secret of an access key the local cloud issued, or undefined. */
    private readonly secretOf: (accessKeyId: string) => string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(req: IncomingMessage, rawPath: string): Promise<SignatureVerdict> {
    const rawQuery = rawQueryOf(req);
    const header = req.headers.authorization;
    if (typeof header === 'string') return this.verifyHeader(req, header, { rawPath, rawQuery });
    const presigned = parsePresigned(rawQuery);
    if (!presigned) return { ok: false, fault: 'malformed' };
    const secret = this.secretOf(presigned.accessKeyId);
    if (secret === undefined) return { ok: false, fault: 'unknown-key' };
    const signedAt = presigned.signedAt.getTime();
    if (this.now() > signedAt + presigned.expiresSeconds * 1000 || signedAt - this.now() > MAX_SKEW_MS)
      return { ok: false, fault: 'expired' };
    const received = { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers };
    return (await presignedSignatureMatches(received, presigned, secret))
      ? { ok: true, request: req }
      : { ok: false, fault: 'mismatch' };
  }

  private async verifyHeader(
    req: IncomingMessage,
    header: string,
    target: { rawPath: string; rawQuery: string },
  ): Promise<SignatureVerdict> {
    let auth: SigV4Authorization;
    try {
      auth = parseAuthorization(header, req.headers);
    } catch (err) {
      if (err instanceof IncompleteSignature) return { ok: false, fault: 'malformed' };
      throw err;
    }
    const secret = this.secretOf(auth.accessKeyId);
    if (secret === undefined) return { ok: false, fault: 'unknown-key' };
    const signedAt = signingTime(req.headers);
    if (!signedAt) return { ok: false, fault: 'malformed' };
    if (Math.abs(this.now() - signedAt.getTime()) > MAX_SKEW_MS) return { ok: false, fault: 'expired' };
    const s3 = auth.service === 's3' && req.headers['x-amz-content-sha256'] !== undefined;
    const body = s3 ? undefined : await readBody(req, MAX_SIGNED_BODY);
    const received: ReceivedRequest = {
      method: req.method ?? 'GET',
      ...target,
      headers: req.headers,
      ...(body !== undefined ? { body } : {}),
    };
    if (!(await signatureMatches(received, auth, secret, signedAt))) return { ok: false, fault: 'mismatch' };
    return { ok: true, request: body === undefined ? req : replay(req, body) };
  }
}

function rawQueryOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

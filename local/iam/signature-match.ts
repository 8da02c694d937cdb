import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  PRESIGN_PARAMETERS,
  type PresignedAuthorization,
  queryOf,
  type ReceivedRequest,
  type SigV4Authorization,
} from './signature.js';

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 a request declares for its body (`x-amz-content-sha256`) when
 * it is a digest that can be checked: not `UNSIGNED-PAYLOAD`, nor one of
 * the `STREAMING-…` (aws-chunked) markers, whose chunks carry their own.
 */
export function declaredPayloadDigest(headers: IncomingHttpHeaders): string | undefined {
  const declared = headers['x-amz-content-sha256'];
  return typeof declared === 'string' && HEX_DIGEST.test(declared) ? declared : undefined;
}

export function payloadDigest(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Whether `authorization` is the signature of `request` with `secret`: the
 * request is signed again, over the headers the caller signed, with the
 * SDK's own signer, and the two signatures compared. The canonical request
 * is the one every surface checks (strict mode's service APIs, API Gateway's
 * AWS_IAM routes): S3 signs its path as sent, other services escape it once
 * more; a declared payload hash stands for the body in the signature, and
 * where the body is at hand it must be the body's.
 */
export async function signatureMatches(
  request: ReceivedRequest,
  authorization: SigV4Authorization,
  secretAccessKey: string,
  signedAt: Date,
): Promise<boolean> {
  const signed = new Set(authorization.signedHeaders.map((h) => h.toLowerCase()));
  const headers = headerValues(request.headers, signed);
  const declared = declaredPayloadDigest(request.headers);
  if (request.body !== undefined && declared !== undefined && declared !== payloadDigest(request.body))
    return false;
  const token = signed.has('x-amz-security-token') ? headers['x-amz-security-token'] : undefined;
  const signer = signerFor(authorization, secretAccessKey, token);
  const resigned = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: String(request.headers.host ?? ''),
      path: request.rawPath,
      query: queryOf(request.rawQuery),
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
    {
      signingDate: signedAt,
      signableHeaders: signed,
      // The signer adds X-Amz-Date itself; it only counts when the caller signed it.
      ...(signed.has('x-amz-date') ? {} : { unsignableHeaders: new Set(['x-amz-date']) }),
    },
  );
  const computed = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ''))?.[1];
  return computed !== undefined && sameHex(computed, authorization.signature);
}

/**
 * Whether a presigned URL's signature is the one its query, path and signed
 * headers make with `secret`. S3's presigned URLs sign no payload
 * (UNSIGNED-PAYLOAD), as its presigner does.
 */
export async function presignedSignatureMatches(
  request: ReceivedRequest,
  presigned: PresignedAuthorization,
  secretAccessKey: string,
): Promise<boolean> {
  const rest = queryOf(request.rawQuery);
  for (const name of PRESIGN_PARAMETERS) delete rest[name];
  const names = presigned.signedHeaders;
  const payload: Record<string, string> =
    presigned.service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {};
  const presignedAgain = await signerFor(presigned, secretAccessKey).presign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: String(request.headers.host ?? ''),
      path: request.rawPath,
      query: rest,
      headers: { ...headerValues(request.headers, new Set(names)), ...payload },
    },
    {
      signingDate: presigned.signedAt,
      expiresIn: presigned.expiresSeconds,
      signableHeaders: new Set(names),
      unsignableHeaders: new Set(Object.keys(payload)),
      // Headers stay headers: the client signed them where they are.
      unhoistableHeaders: new Set([...names, ...Object.keys(payload)]),
    },
  );
  return sameHex(String(presignedAgain.query?.['X-Amz-Signature'] ?? ''), presigned.signature);
}

/** S3 signs the path as sent; every other service escapes it once more. */
function signerFor(scope: SigV4Authorization, secretAccessKey: string, sessionToken?: string): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: scope.accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    },
    region: scope.region,
    service: scope.service,
    sha256: Sha256,
    uriEscapePath: scope.service !== 's3',
    // Sign only what the client signed: the signer would add (and sign) a payload hash header the client never sent.
    applyChecksum: false,
  });
}

function headerValues(headers: IncomingHttpHeaders, names: Set<string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) values[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return values;
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** SHA-256 (and HMAC) from Node's crypto, in the shape the SDK's signer takes. */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { readBody } from './json-protocol.js';
import { replay } from './replay.js';

/** Why a signature is refused. */
export type SignatureFault = 'unknown-key' | 'mismatch' | 'expired' | 'malformed';

export type SignatureVerdict = { ok: true; request: IncomingMessage } | { ok: false; fault: SignatureFault };

const MAX_SKEW_MS = 15 * 60 * 1000;
/** Above any service's own request limit (a function's zip, base64 in JSON), which it then applies. */
const MAX_SIGNED_BODY = 80 * 1024 * 1024;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request, ?SignedHeaders=([^\s,]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Strict mode's check of SigV4 signatures: the request is signed again,
 * with the secret of the key it names, by the SDK's own signer, over the
 * headers it says it signed, its path and query exactly as sent and its
 * body (or the payload hash it declares) — and the signatures must agree.
 * A key the local cloud doesn't know, a signature that doesn't match and
 * one older (or newer) than 15 minutes are refused.
 */
export class SignatureCheck {
  constructor(
    /** The secret of an access key the local cloud issued, or undefined. */
    private readonly secretOf: (accessKeyId: string) => string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(req: IncomingMessage, rawPath: string, query: URLSearchParams): Promise<SignatureVerdict> {
    const header = req.headers.authorization;
    if (typeof header === 'string') return this.verifyHeader(req, header, rawPath, query);
    if (query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') return this.verifyPresigned(req, rawPath, query);
    return { ok: false, fault: 'malformed' };
  }

  private async verifyHeader(
    req: IncomingMessage,
    header: string,
    rawPath: string,
    query: URLSearchParams,
  ): Promise<SignatureVerdict> {
    const match = AUTHORIZATION.exec(header);
    if (!match) return { ok: false, fault: 'malformed' };
    const [, accessKeyId = '', , region = '', service = '', signedHeaders = '', signature = ''] = match;
    const secret = this.secretOf(accessKeyId);
    if (secret === undefined) return { ok: false, fault: 'unknown-key' };
    const date = signingDate(String(req.headers['x-amz-date'] ?? ''));
    if (!date) return { ok: false, fault: 'malformed' };
    if (Math.abs(this.now() - date.getTime()) > MAX_SKEW_MS) return { ok: false, fault: 'expired' };
    const names = signedHeaders.split(';');
    // S3 declares its payload's hash (or that it signs none) and its bodies may be large: the
    // declared hash is what is signed. Any other service's body is read and must be what was signed.
    const declared = req.headers['x-amz-content-sha256'];
    const body =
      service === 's3' && declared !== undefined ? undefined : await readBody(req, MAX_SIGNED_BODY);
    if (body !== undefined && typeof declared === 'string' && declared !== sha256Hex(body))
      return { ok: false, fault: 'mismatch' };
    const signer = signerFor(service, region, accessKeyId, secret);
    const signed = await signer.sign(
      {
        method: req.method ?? 'GET',
        protocol: 'http:',
        hostname: String(req.headers.host ?? ''),
        path: rawPath,
        query: queryRecord(query),
        headers: signedHeaderValues(req, names),
        ...(body !== undefined ? { body } : {}),
      },
      { signingDate: date, signableHeaders: new Set(names) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
    if (!sameHex(expected, signature)) return { ok: false, fault: 'mismatch' };
    return { ok: true, request: body === undefined ? req : replay(req, body) };
  }

  private async verifyPresigned(
    req: IncomingMessage,
    rawPath: string,
    query: URLSearchParams,
  ): Promise<SignatureVerdict> {
    const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(
      query.get('X-Amz-Credential') ?? '',
    );
    const date = signingDate(query.get('X-Amz-Date') ?? '');
    const expires = Number(query.get('X-Amz-Expires') ?? '');
    const signature = query.get('X-Amz-Signature') ?? '';
    if (!credential || !date || !Number.isInteger(expires) || expires < 1 || expires > 604_800)
      return { ok: false, fault: 'malformed' };
    const [, accessKeyId = '', , region = '', service = ''] = credential;
    const secret = this.secretOf(accessKeyId);
    if (secret === undefined) return { ok: false, fault: 'unknown-key' };
    if (this.now() > date.getTime() + expires * 1000 || date.getTime() - this.now() > MAX_SKEW_MS)
      return { ok: false, fault: 'expired' };
    const names = (query.get('X-Amz-SignedHeaders') ?? 'host').split(';');
    const rest = new URLSearchParams(query);
    for (const key of [
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-SignedHeaders',
      'X-Amz-Signature',
    ])
      rest.delete(key);
    const signer = signerFor(service, region, accessKeyId, secret);
    // S3's presigned URLs sign no payload (UNSIGNED-PAYLOAD), as its presigner does: the hash counts, the header isn't signed.
    const payload: Record<string, string> =
      service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {};
    const kept = new Set([...names, ...Object.keys(payload)]);
    const presigned = await signer.presign(
      {
        method: req.method ?? 'GET',
        protocol: 'http:',
        hostname: String(req.headers.host ?? ''),
        path: rawPath,
        query: queryRecord(rest),
        headers: { ...signedHeaderValues(req, names), ...payload },
      },
      {
        signingDate: date,
        expiresIn: expires,
        signableHeaders: new Set(names),
        unsignableHeaders: new Set(Object.keys(payload)),
        // Headers stay headers: the client signed them where they are.
        unhoistableHeaders: kept,
      },
    );
    const expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
    return sameHex(expected, signature) ? { ok: true, request: req } : { ok: false, fault: 'mismatch' };
  }
}

/** S3 signs the path as sent; every other service escapes it once more. */
function signerFor(
  service: string,
  region: string,
  accessKeyId: string,
  secretAccessKey: string,
): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service,
    sha256: Sha256,
    uriEscapePath: service !== 's3',
    // Sign only what the client signed: the signer would add (and sign) a payload hash header the client never sent.
    applyChecksum: false,
  });
}

function signedHeaderValues(req: IncomingMessage, names: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    record[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return record;
}

/** `20260101T000000Z` as a date, or undefined. */
function signingDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** SHA-256 (and HMAC) from Node's crypto, in the shape the SDK's signer takes. */
class Sha256 {
  private readonly hash;
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

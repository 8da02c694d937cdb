import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

/** The parts of a SigV4 `Authorization` header. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** `20261123` */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** A header that is not a whole SigV4 authorization: what is missing, as AWS words it. */
export class IncompleteSignature extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteSignatureException';
  }
}

/**
 * Reads `AWS4-HMAC-SHA256 Credential=…/date/region/service/aws4_request,
 * SignedHeaders=…, Signature=…`; anything less throws IncompleteSignature
 * naming every missing part (and the header, as AWS echoes it).
 */
export function parseAuthorization(header: string, headers: IncomingHttpHeaders): SigV4Authorization {
  const params = new Map<string, string>();
  const algorithm = header.startsWith('AWS4-HMAC-SHA256 ');
  for (const part of header.replace(/^AWS4-HMAC-SHA256\s+/, '').split(/,\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = algorithm ? params.get('Credential') : undefined;
  const scope = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(credential ?? '');
  const signedHeaders = algorithm ? params.get('SignedHeaders') : undefined;
  const signature = algorithm ? params.get('Signature') : undefined;
  const missing: string[] = [];
  if (!scope) missing.push("Authorization header requires 'Credential' parameter.");
  if (!signature) missing.push("Authorization header requires 'Signature' parameter.");
  if (!signedHeaders) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (headers['x-amz-date'] === undefined && headers.date === undefined)
    missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0 || !scope || !signature || !signedHeaders)
    throw new IncompleteSignature(`${missing.join(' ')} Authorization=${header.slice(0, 200)}`);
  const [, accessKeyId = '', date = '', region = '', service = ''] = scope;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** `20261123T101500Z` (x-amz-date), or an HTTP date (`Date`), as a time; undefined when it is neither. */
export function signingTime(headers: IncomingHttpHeaders): Date | undefined {
  const amz = headers['x-amz-date'];
  if (typeof amz === 'string') {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amz);
    if (!m) return undefined;
    const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
    return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s));
  }
  const date = headers.date ? new Date(headers.date) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** What a signature is computed over: the request exactly as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** The path as sent, percent-encoding kept. */
  rawPath: string;
  /** The query string as sent, without `?`. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Whether `authorization` is the signature of `request` with `secret`: the
 * request is signed again, over the headers the caller signed, with the
 * SDK's own signer, and the two signatures compared.
 */
export async function signatureMatches(
  request: ReceivedRequest,
  authorization: SigV4Authorization,
  secretAccessKey: string,
  signedAt: Date,
): Promise<boolean> {
  const signed = new Set(authorization.signedHeaders.map((h) => h.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // A signed payload hash stands for the body in the signature: it must be the body's.
  const claimed = headers['x-amz-content-sha256'];
  if (
    claimed !== undefined &&
    claimed !== 'UNSIGNED-PAYLOAD' &&
    claimed !== createHash('sha256').update(request.body).digest('hex')
  )
    return false;
  const token = signed.has('x-amz-security-token') ? headers['x-amz-security-token'] : undefined;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: authorization.accessKeyId,
      secretAccessKey,
      ...(token ? { sessionToken: token } : {}),
    },
    region: authorization.region,
    service: authorization.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const resigned = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: String(request.headers.host ?? ''),
      path: request.rawPath,
      query: queryOf(request.rawQuery),
      headers,
      body: request.body,
    },
    {
      signingDate: signedAt,
      signableHeaders: signed,
      // The signer adds X-Amz-Date itself; it only counts when the caller signed it.
      ...(signed.has('x-amz-date') ? {} : { unsignableHeaders: new Set(['x-amz-date']) }),
    },
  );
  const computed = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ''))?.[1];
  return computed !== undefined && computed === authorization.signature;
}

/** The query's parameters as sent, decoded once (the signer encodes them again, as the caller's did). */
function queryOf(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decoded(eq < 0 ? pair : pair.slice(0, eq));
    const value = decoded(eq < 0 ? '' : pair.slice(eq + 1));
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
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

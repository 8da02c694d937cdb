import type { IncomingHttpHeaders } from 'node:http';

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
  /**
   * The body as received; undefined where the payload hash the request
   * declares stands for it (S3, which compares the two as it reads the body).
   */
  body?: Buffer;
}

/** A presigned URL's signature parameters (`X-Amz-*` in the query). */
export interface PresignedAuthorization extends SigV4Authorization {
  signedAt: Date;
  expiresSeconds: number;
}

export const PRESIGN_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
];

/** Reads a presigned URL's query; undefined when it is not a whole SigV4 presignature (1 s to 7 days). */
export function parsePresigned(rawQuery: string): PresignedAuthorization | undefined {
  const query = queryOf(rawQuery);
  const one = (name: string) => {
    const value = query[name];
    return typeof value === 'string' ? value : undefined;
  };
  if (one('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return undefined;
  const scope = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(one('X-Amz-Credential') ?? '');
  const signedAt = signingTime({ 'x-amz-date': one('X-Amz-Date') ?? '' });
  const expiresSeconds = Number(one('X-Amz-Expires') ?? '');
  const signature = one('X-Amz-Signature') ?? '';
  if (
    !scope ||
    !signedAt ||
    !Number.isInteger(expiresSeconds) ||
    expiresSeconds < 1 ||
    expiresSeconds > 604_800
  )
    return undefined;
  const [, accessKeyId = '', date = '', region = '', service = ''] = scope;
  const signedHeaders = (one('X-Amz-SignedHeaders') ?? 'host').split(';');
  return { accessKeyId, date, region, service, signedHeaders, signature, signedAt, expiresSeconds };
}

/** The query's parameters as sent, decoded once (the signer encodes them again, as the caller's did). */
export function queryOf(raw: string): Record<string, string | string[]> {
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

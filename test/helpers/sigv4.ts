import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../local/iam/signature-match.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './fake-credentials.js';

export interface SignedRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The SigV4 service name (the credential scope's): `ecr`, `s3`, `ecs`… */
  service: string;
  region?: string;
  /** Who signs (the suite's static local credentials unless given): a role's keys, a session token. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** When the request claims to have been signed (now unless given). */
  signingDate?: Date;
}

/**
 * A raw HTTP request, signed with SigV4 as an SDK would sign it, for tests
 * that must send exactly the bytes they choose (the local cloud refuses
 * unsigned requests).
 */
export async function signedFetch(url: string, request: SignedRequest): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: request.credentials ?? LOCAL_CREDENTIALS,
    region: request.region ?? LOCAL_REGION,
    service: request.service,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: request.method ?? 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { host: target.host, ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
    request.signingDate ? { signingDate: request.signingDate } : {},
  );
  const { host: _host, ...headers } = signed.headers;
  return fetch(url, {
    method: signed.method,
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
}

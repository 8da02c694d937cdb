import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  IncompleteSignature,
  parseAuthorization,
  parsePresigned,
  type ReceivedRequest,
  signingTime,
} from '../../local/iam/signature.js';
import {
  declaredPayloadDigest,
  presignedSignatureMatches,
  Sha256,
  signatureMatches,
} from '../../local/iam/signature-match.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const signedAt = new Date(Date.UTC(2026, 10, 23, 10, 15, 0));

/** A request as an SDK signs it, and as the endpoint then receives it. */
async function signed(
  path: string,
  query: string,
  body: string,
  sessionToken?: string,
): Promise<ReceivedRequest> {
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: SECRET,
      ...(sessionToken ? { sessionToken } : {}),
    },
    region: 'us-east-1',
    service: 'execute-api',
    sha256: Sha256,
  });
  const out = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers: { host: '127.0.0.1:4566', 'content-type': 'application/json' },
      body,
    },
    { signingDate: signedAt },
  );
  const headers: IncomingHttpHeaders = Object.fromEntries(
    Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return { method: 'POST', rawPath: path, rawQuery: query, headers, body: Buffer.from(body) };
}

const verify = (request: ReceivedRequest, secret = SECRET) =>
  signatureMatches(
    request,
    parseAuthorization(String(request.headers.authorization), request.headers),
    secret,
    signingTime(request.headers) ?? new Date(0),
  );

describe('SigV4 signature checks', () => {
  it('accepts the signature an SDK computed, with a session token and an encoded path and query', async () => {
    const request = await signed(
      '/_aws/execute-api/abcdefghij/deployments/a%20b',
      'x=a%2Fb&y=1',
      '{"a":1}',
      'tok',
    );
    expect(await verify(request)).toBe(true);
  });

  it.each([
    ['another secret', (r: ReceivedRequest) => r, 'not-the-secret'],
    ['a changed body', (r: ReceivedRequest) => ({ ...r, body: Buffer.from('{"a":2}') }), SECRET],
    ['a changed path', (r: ReceivedRequest) => ({ ...r, rawPath: '/deployments/other' }), SECRET],
    ['a changed query', (r: ReceivedRequest) => ({ ...r, rawQuery: 'x=2' }), SECRET],
    [
      'a changed signed header',
      (r: ReceivedRequest) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } }),
      SECRET,
    ],
  ])('refuses %s', async (_what, change, secret) => {
    const request = await signed('/deployments', 'x=1', '{"a":1}');
    expect(await verify(request)).toBe(true);
    expect(await verify(change(request), secret)).toBe(false);
  });

  it('ignores headers the caller did not sign', async () => {
    const request = await signed('/deployments', '', '{}');
    expect(
      await verify({ ...request, headers: { ...request.headers, 'user-agent': 'added-by-a-proxy' } }),
    ).toBe(true);
  });

  it('names every missing part of an incomplete Authorization header, as AWS does', () => {
    expect(() => parseAuthorization('Bearer abc', {})).toThrow(
      new IncompleteSignature(
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc",
      ),
    );
  });

  it('reads the credential scope and the signed headers', () => {
    const header =
      'AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
      'a'.repeat(64);
    expect(parseAuthorization(header, { 'x-amz-date': '20261123T101500Z' })).toEqual({
      accessKeyId: 'AKID',
      date: '20261123',
      region: 'eu-west-1',
      service: 'execute-api',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'a'.repeat(64),
    });
    expect(signingTime({ 'x-amz-date': '20261123T101500Z' })).toEqual(signedAt);
  });
});

describe('the payload hash a request declares', () => {
  const digest = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  it.each([
    ['a hex digest', digest, digest],
    ['UNSIGNED-PAYLOAD', 'UNSIGNED-PAYLOAD', undefined],
    ['an aws-chunked marker', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', undefined],
    ['nothing', undefined, undefined],
  ])('is compared with the body only when it is a digest: %s', (_what, header, checked) => {
    expect(declaredPayloadDigest(header === undefined ? {} : { 'x-amz-content-sha256': header })).toBe(
      checked,
    );
  });

  it("must be the body's where the body is at hand", async () => {
    const request = await signed('/deployments', '', '{"a":1}');
    const declared = { ...request.headers, 'x-amz-content-sha256': 'a'.repeat(64) };
    expect(await verify({ ...request, headers: declared })).toBe(false);
  });
});

/** An S3 request as the S3 client signs it: the path as sent, the declared payload hash signed in place of the body. */
async function signedForS3(path: string, payloadHash: string): Promise<ReceivedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
    region: 'us-east-1',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });
  const out = await signer.sign(
    {
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path,
      headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': payloadHash },
    },
    { signingDate: signedAt },
  );
  const headers: IncomingHttpHeaders = Object.fromEntries(
    Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return { method: 'PUT', rawPath: path, rawQuery: '', headers };
}

describe('S3 signatures', () => {
  it('sign the path as sent and the declared payload hash, without the body', async () => {
    const request = await signedForS3('/bucket/a%20key', 'UNSIGNED-PAYLOAD');
    expect(await verify(request)).toBe(true);
    expect(await verify({ ...request, rawPath: '/bucket/other' })).toBe(false);
    const changedHash = { ...request.headers, 'x-amz-content-sha256': 'b'.repeat(64) };
    expect(await verify({ ...request, headers: changedHash })).toBe(false);
  });
});

describe('presigned URLs', () => {
  async function presigned(expiresIn: number): Promise<ReceivedRequest> {
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
      region: 'us-east-1',
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
    // As S3's presigner does: the payload is UNSIGNED-PAYLOAD, and that header is not itself signed.
    const out = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/bucket/key',
        headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { signingDate: signedAt, expiresIn, unsignableHeaders: new Set(['x-amz-content-sha256']) },
    );
    const rawQuery = new URLSearchParams(out.query as Record<string, string>).toString();
    return { method: 'GET', rawPath: '/bucket/key', rawQuery, headers: { host: '127.0.0.1:4566' } };
  }

  it('are read from the query and verified as the presigner signed them', async () => {
    const request = await presigned(900);
    const parameters = parsePresigned(request.rawQuery);
    expect(parameters).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      service: 's3',
      expiresSeconds: 900,
      signedAt,
    });
    if (!parameters) throw new Error('not read');
    expect(await presignedSignatureMatches(request, parameters, SECRET)).toBe(true);
    expect(await presignedSignatureMatches(request, parameters, 'not-the-secret')).toBe(false);
    expect(
      await presignedSignatureMatches({ ...request, rawPath: '/bucket/other' }, parameters, SECRET),
    ).toBe(false);
  });

  it('are not read past a week, nor without their parameters', async () => {
    const request = await presigned(900);
    expect(
      parsePresigned(request.rawQuery.replace('X-Amz-Expires=900', 'X-Amz-Expires=604801')),
    ).toBeUndefined();
    expect(parsePresigned('X-Amz-Algorithm=AWS4-HMAC-SHA256')).toBeUndefined();
    expect(parsePresigned('')).toBeUndefined();
  });
});

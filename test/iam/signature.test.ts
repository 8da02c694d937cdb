import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  IncompleteSignature,
  parseAuthorization,
  type ReceivedRequest,
  Sha256,
  signatureMatches,
  signingTime,
} from '../../local/iam/signature.js';

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

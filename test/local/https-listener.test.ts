import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Acm } from '../../local/services/acm/provider.js';
import { Elbv2 } from '../../local/services/elbv2/provider.js';
import { type LocalCa, localCa } from '../../local/tls/local-ca.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const DOMAIN = 'app.example.com';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  certificate?: PeerCertificate;
}

/** GET over HTTPS from `port` on loopback, asking for `serverName`, trusting only the local CA. */
function httpsGet(port: number, path: string, serverName: string, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: serverName,
        headers: { host: serverName },
        ca,
        agent: false,
      },
      (res) => {
        const certificate = (res.socket as TLSSocket).getPeerCertificate(true);
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, certificate }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('an HTTPS listener on the local load balancer', () => {
  let elbv2: Elbv2;
  let ca: LocalCa;
  let target: Server;
  let seen: IncomingHttpHeaders | undefined;
  let port = 0;
  let plainPort = 0;
  let refused = 0;

  beforeAll(async () => {
    ca = localCa(mkdtempSync(join(tmpdir(), 'stepship-https-ca-')));
    const acm = new Acm();
    elbv2 = new Elbv2({
      host: '127.0.0.1',
      firstPort: 0,
      certificates: { ca, namesOf: (arn, s) => acm.namesOf(arn, s) },
    });
    target = createServer((req, res) => {
      seen = req.headers;
      res.end(`target saw ${req.url}`);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', () => resolve()));
    const group = elbv2.createTargetGroup(scope, {
      Name: 'web',
      Port: (target.address() as AddressInfo).port,
      TargetType: 'ip',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
    });
    group.group.register('127.0.0.1');
    const certificate = acm.requestCertificate(scope, DOMAIN);
    const lb = await elbv2.createLoadBalancer(scope, { Name: 'web' });
    port = lb.localPort;
    elbv2.createListener(scope, {
      LoadBalancerArn: lb.arn,
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificate.arn }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: group.group.arn }],
    });
    elbv2.createListener(scope, {
      LoadBalancerArn: lb.arn,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    });
    // A second load balancer with HTTP only.
    const plain = await elbv2.createLoadBalancer(scope, { Name: 'plain' });
    plainPort = plain.localPort;
    elbv2.createListener(scope, {
      LoadBalancerArn: plain.arn,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'plain' } },
      ],
    });
  });

  afterAll(async () => {
    await elbv2.stop();
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  it('redirects HTTP to HTTPS on the same front door, keeping path and query, with the status the action names', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/notes/1?sort=new`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`https://127.0.0.1:${port}/notes/1?sort=new`);
  });

  it('serves the domain with a certificate chaining to the local CA, forwarding with X-Forwarded-Proto https', async () => {
    const answer = await httpsGet(port, '/hello', DOMAIN, ca.certPem);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('target saw /hello');
    expect(seen?.['x-forwarded-proto']).toBe('https');
    expect(seen?.host).toBe(DOMAIN);
    expect(answer.certificate?.subjectaltname).toContain(`DNS:${DOMAIN}`);
    expect(answer.certificate?.issuer.CN).toBe('stepship local cloud CA');
  });

  it("also answers for the load balancer's own address, and for no other name", async () => {
    expect((await httpsGet(port, '/', '127.0.0.1', ca.certPem)).status).toBe(200);
    await expect(httpsGet(port, '/', 'other.example.com', ca.certPem)).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('is not trusted by a client that trusts another CA only', async () => {
    const stranger = localCa(mkdtempSync(join(tmpdir(), 'stepship-other-ca-')));
    await expect(httpsGet(port, '/', DOMAIN, stranger.certPem)).rejects.toMatchObject({
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
  });

  it.each([
    [
      'a certificate ACM never issued',
      [{ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/never-issued' }],
      'CertificateNotFound',
      "Certificate 'arn:aws:acm:us-east-1:000000000000:certificate/never-issued' not found",
    ],
    [
      'an ARN of another service',
      [{ CertificateArn: 'arn:aws:iam::000000000000:server-certificate/site' }],
      'CertificateNotFound',
      "Certificate 'arn:aws:iam::000000000000:server-certificate/site' not found",
    ],
    ['no certificate', [], 'ValidationError', 'A certificate must be specified for HTTPS listeners'],
  ])(
    'refuses an HTTPS listener with %s, and serves nothing new',
    async (_what, certificates, code, message) => {
      refused += 1;
      const lb = await elbv2.createLoadBalancer(scope, { Name: `refused-${refused}` });
      const create = () =>
        elbv2.createListener(scope, {
          LoadBalancerArn: lb.arn,
          Port: 443,
          Protocol: 'HTTPS',
          Certificates: certificates,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
        });
      expect(create).toThrow(expect.objectContaining({ name: code, message }));
      expect([...elbv2.stores.of(scope).listeners.values()].some((l) => l.loadBalancerArn === lb.arn)).toBe(
        false,
      );
    },
  );

  it('refuses a TLS handshake on a load balancer without an HTTPS listener, still serving HTTP', async () => {
    await expect(httpsGet(plainPort, '/', '127.0.0.1', ca.certPem)).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(await (await fetch(`http://127.0.0.1:${plainPort}/`)).text()).toBe('plain');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpGet } from '../../functions/commons/http.js';
import { localCa } from '../../local/tls/local-ca.js';

/**
 * A stand-in for the load balancer's HTTPS listener on loopback, holding a
 * certificate for the app's domain only, as ACM's would be: it answers by the
 * TLS server name and Host the client asks for, as an ALB picks its
 * certificate and rules.
 */
const stateDir = mkdtempSync(join(tmpdir(), 'stepship-http-by-name-'));
const ca = localCa(stateDir);
const trusted = getCACertificates('default');
const seen: { serverName: string; host: string | undefined; path: string | undefined }[] = [];
let server: Server;
let lb: string;

beforeAll(async () => {
  // The test CA stands for a public one; Lambda's Node trusts the real ones by default.
  setDefaultCACertificates([...trusted, ca.certPem]);
  const leaf = ca.issue(['shop.example.com']);
  server = createServer(leaf, (req, res) => {
    const serverName = (req.socket as { servername?: string }).servername || '';
    seen.push({ serverName, host: req.headers.host, path: req.url });
    if (req.url === '/old') {
      res.writeHead(301, { location: 'https://shop.example.com/new?from=old' }).end();
    } else if (req.url === '/away') {
      res.writeHead(302, { location: 'https://elsewhere.example.org/' }).end();
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2000);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, host: req.headers.host }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lb = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  setDefaultCACertificates(trusted);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(stateDir, { recursive: true, force: true });
});

describe('a GET asking the load balancer for a domain by name', () => {
  it('sends the name as the TLS server name and the Host, and checks the certificate against it', async () => {
    seen.length = 0;
    const answer = await httpGet(`${lb}/status?x=1`, { serverName: 'shop.example.com' });
    expect(answer).toMatchObject({ status: 200, json: { path: '/status?x=1', host: 'shop.example.com' } });
    expect(seen).toEqual([{ serverName: 'shop.example.com', host: 'shop.example.com', path: '/status?x=1' }]);
  });

  it('refuses a certificate that is not for the name asked for', async () => {
    await expect(httpGet(`${lb}/`, { serverName: 'other.example.com' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('without a name, connects by the URL’s host, which the certificate does not name', async () => {
    await expect(httpGet(`${lb}/`)).rejects.toThrow('fetch failed');
  });

  it('follows a redirect that stays on the name, through the same load balancer', async () => {
    seen.length = 0;
    const answer = await httpGet(`${lb}/old`, { serverName: 'shop.example.com' });
    expect(answer).toMatchObject({ status: 200, json: { path: '/new?from=old' } });
    expect(seen.map((s) => [s.path, s.host])).toEqual([
      ['/old', 'shop.example.com'],
      ['/new?from=old', 'shop.example.com'],
    ]);
  });

  it('answers with a redirect to another name, which it would need public DNS to follow', async () => {
    await expect(httpGet(`${lb}/away`, { serverName: 'shop.example.com' })).resolves.toMatchObject({
      status: 302,
    });
  });

  it('gives up after its timeout', async () => {
    await expect(
      httpGet(`${lb}/slow`, { serverName: 'shop.example.com', timeoutMs: 200 }),
    ).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
  });
});

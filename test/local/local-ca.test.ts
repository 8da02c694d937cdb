import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAwsTlsServer } from '../../local/tls/aws-tls-server.js';
import { type LocalCa, localCa } from '../../local/tls/local-ca.js';

const stateDir = mkdtempSync(join(tmpdir(), 'stepship-ca-'));

describe('the local CA', () => {
  it('is created once in the state directory, its key readable by its owner only, and reused on restart', () => {
    const first = localCa(stateDir);
    const keyPath = join(stateDir, 'ca', 'ca-key.pem');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(first.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(keyPath, 'utf8')))).toBe(true);

    const restarted = localCa(stateDir);
    expect(restarted.certPem).toBe(first.certPem);
    expect(readFileSync(restarted.certPath, 'utf8')).toBe(first.certPem);
  });

  it('replaces a CA certificate it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepship-ca-broken-'));
    const original = localCa(dir);
    writeFileSync(original.certPath, 'not a certificate');
    const replaced = localCa(dir);
    expect(replaced.certPem).not.toBe(original.certPem);
    expect(new X509Certificate(replaced.certPem).ca).toBe(true);
  });

  it('issues server certificates for the names asked, signed by the CA', () => {
    const ca = localCa(stateDir);
    const leaf = new X509Certificate(ca.issue(['*.us-east-1.amazonaws.com', '127.0.0.1']).cert);
    expect(leaf.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkHost('dynamodb.us-east-1.amazonaws.com')).toBe('*.us-east-1.amazonaws.com');
    expect(leaf.checkHost('dynamodb.eu-west-1.amazonaws.com')).toBeUndefined();
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('writes a trust bundle of this machine’s roots plus the CA, for variables that replace a client’s roots', () => {
    const ca = localCa(stateDir);
    const bundle = readFileSync(ca.bundlePath, 'utf8');
    expect(bundle).toContain(ca.certPem.trim());
    expect(bundle.match(/BEGIN CERTIFICATE/g)?.length).toBeGreaterThan(50);
  });
});

describe('the HTTPS endpoint for AWS host names', () => {
  let ca: LocalCa;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    ca = localCa(stateDir);
    server = createAwsTlsServer(ca, 'us-east-1').on('request', (req, res) => {
      res.end(`answered ${req.headers.host}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    'dynamodb.us-east-1.amazonaws.com',
    'dynamodb.ap-northeast-2.amazonaws.com',
    '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    'sts.amazonaws.com',
    'my-bucket.s3.us-east-1.amazonaws.com',
    'dynamodb.cn-north-1.amazonaws.com.cn',
    'dynamodb.us-east-1.api.aws',
  ])('presents a certificate that %s verifies against the CA', async (name) => {
    const { authorized, cert } = await handshake(name);
    expect(authorized).toBe(true);
    expect(cert.checkHost(name)).toBe(name);
  });

  it('presents the region’s default certificate to a client that sends no server name', async () => {
    const { authorized, cert } = await handshake();
    expect(authorized).toBe(true);
    expect(cert.checkHost('dynamodb.us-east-1.amazonaws.com')).toBe('*.us-east-1.amazonaws.com');
    expect(cert.checkHost('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toBeDefined();
  });

  it('is trusted by OpenSSL with strict RFC 5280 checks (Python’s ssl)', async () => {
    const script = `
import ssl, socket, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
with socket.create_connection(('127.0.0.1', int(sys.argv[2]))) as sock:
    with ctx.wrap_socket(sock, server_hostname='logs.us-west-2.amazonaws.com') as tls:
        print(tls.version())
`;
    const { stdout } = await promisify(execFile)('python3', ['-c', script, ca.certPath, String(port)]);
    expect(stdout.trim()).toMatch(/^TLSv1\.[23]$/);
  });

  /** A TLS handshake by server name (none: by address), the CA as the only root. */
  function handshake(servername?: string) {
    return new Promise<{ authorized: boolean; cert: X509Certificate }>((resolve, reject) => {
      const options = { host: '127.0.0.1', port, ca: ca.certPem, ...(servername ? { servername } : {}) };
      const socket = connect(options, () => {
        const cert = socket.getPeerX509Certificate();
        socket.end();
        if (cert) resolve({ authorized: socket.authorized, cert });
        else reject(new Error('The server presented no certificate'));
      });
      socket.on('error', reject);
    });
  }
});

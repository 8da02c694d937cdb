import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { getCACertificates } from 'node:tls';
import forge from 'node-forge';

export interface IssuedCertificate {
  /** The leaf certificate, PEM. */
  cert: string;
  /** Its private key, PEM (PKCS#8). */
  key: string;
}

/**
 * The local cloud's own certificate authority, generated once per state
 * directory and reused: tasks trust it, so the local cloud can answer TLS for
 * AWS's host names (and, later, for a local HTTPS listener).
 */
export interface LocalCa {
  /** The CA certificate (PEM), for NODE_EXTRA_CA_CERTS and `tls.connect({ ca })`. */
  readonly certPath: string;
  readonly certPem: string;
  /**
   * This machine's trusted roots plus the local CA: for the variables that
   * replace a client's roots rather than add to them (AWS_CA_BUNDLE,
   * SSL_CERT_FILE, REQUESTS_CA_BUNDLE), so other TLS keeps working.
   */
  readonly bundlePath: string;
  /** A server certificate for these DNS names (wildcards allowed) or IP addresses, signed by the CA. */
  issue(names: string[]): IssuedCertificate;
}

const DAY_MS = 24 * 3600 * 1000;
const CA_VALIDITY_DAYS = 3650;
/** Leaves live in memory only, so they can be short-lived; a restart issues new ones. */
const LEAF_VALIDITY_DAYS = 30;
/** A CA that expires within this is replaced (tasks started after that trust the new one). */
const CA_RENEW_BEFORE_DAYS = 60;
const CA_NAME = [
  { name: 'commonName', value: 'stepship local cloud CA' },
  { name: 'organizationName', value: 'stepship local cloud' },
];

export function localCa(stateDir: string): LocalCa {
  const dir = join(stateDir, 'ca');
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  if (!usable(certPath, keyPath)) create(stateDir, dir);
  const certPem = readFileSync(certPath, 'utf8');
  const caCert = forge.pki.certificateFromPem(certPem);
  const caKey = createPrivateKey(readFileSync(keyPath, 'utf8'));
  const bundlePath = join(dir, 'trust-bundle.pem');
  writeAtomically(bundlePath, trustBundle(certPem), 0o644);
  // One leaf key per run: issuing is then only a signature, cheap enough per TLS server name.
  const leaf = rsaKeyPair();
  const leafPublic = forge.pki.publicKeyFromPem(leaf.publicKey);
  const caKeyId = caCert.generateSubjectKeyIdentifier().getBytes();

  return {
    certPath,
    certPem,
    bundlePath,
    issue(names) {
      if (names.length === 0) throw new Error('A certificate needs at least one name');
      const cert = forge.pki.createCertificate();
      cert.publicKey = leafPublic;
      cert.serialNumber = serialNumber();
      cert.validity.notBefore = new Date(Date.now() - 3600_000);
      cert.validity.notAfter = new Date(Date.now() + LEAF_VALIDITY_DAYS * DAY_MS);
      cert.setSubject([{ name: 'commonName', value: 'stepship local cloud endpoint' }]);
      cert.setIssuer(caCert.subject.attributes);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
        },
        { name: 'subjectKeyIdentifier' },
        { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId },
      ]);
      signWithNode(cert, caKey);
      return { cert: forge.pki.certificateToPem(cert), key: leaf.privateKey };
    },
  };
}

function usable(certPath: string, keyPath: string): boolean {
  if (!existsSync(certPath) || !existsSync(keyPath)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    return cert.ca && Date.parse(cert.validTo) - Date.now() > CA_RENEW_BEFORE_DAYS * DAY_MS;
  } catch {
    return false;
  }
}

/**
 * Writes the CA into a fresh directory and renames it into place, so two
 * local clouds starting on one state directory never pair one's key with
 * the other's certificate: the loser of the rename uses the winner's CA.
 */
function create(stateDir: string, dir: string): void {
  mkdirSync(stateDir, { recursive: true });
  const staging = mkdtempSync(join(stateDir, '.ca-'));
  try {
    const keys = rsaKeyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
    cert.serialNumber = serialNumber();
    cert.validity.notBefore = new Date(Date.now() - 3600_000);
    cert.validity.notAfter = new Date(Date.now() + CA_VALIDITY_DAYS * DAY_MS);
    cert.setSubject(CA_NAME);
    cert.setIssuer(CA_NAME);
    cert.setExtensions([
      { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    signWithNode(cert, createPrivateKey(keys.privateKey));
    writeFileSync(join(staging, 'ca-key.pem'), keys.privateKey, { mode: 0o600 });
    writeFileSync(join(staging, 'ca.pem'), forge.pki.certificateToPem(cert), { mode: 0o644 });
    chmodSync(staging, 0o755);
    install(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function install(staging: string, dir: string): void {
  try {
    renameSync(staging, dir);
    return;
  } catch (err) {
    if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
  if (usable(join(dir, 'ca.pem'), join(dir, 'ca-key.pem'))) return;
  // What is there is expired or broken: replace it.
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

/**
 * forge builds the certificate, Node's crypto signs it: forge's own RSA is
 * pure JavaScript, a hundred times slower, and a certificate is issued for
 * each new server name a task connects to. `cert.sign` takes any digest with
 * `algorithm` and `update`, and any key with `sign(digest)`; this digest
 * only gathers the bytes to be signed.
 */
function signWithNode(cert: forge.pki.Certificate, key: KeyObject): void {
  const toBeSigned = {
    algorithm: 'sha256',
    bytes: '',
    update(bytes: string) {
      this.bytes += bytes;
    },
  };
  const signer = {
    sign: (digest: typeof toBeSigned) =>
      sign('sha256', Buffer.from(digest.bytes, 'binary'), key).toString('binary'),
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, toBeSigned as unknown as forge.md.MessageDigest);
}

function rsaKeyPair(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** 16 random bytes, the first one's high bit clear so the serial is positive (RFC 5280). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function trustBundle(caPem: string): string {
  const roots = new Set([...getCACertificates('bundled'), ...getCACertificates('system')]);
  return `${[...roots, caPem].map((pem) => pem.trim()).join('\n')}\n`;
}

function writeAtomically(path: string, content: string, mode: number): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A strict local cloud's own credentials: generated once into the state
 * directory (`credentials.json`, mode 0600, so other users of the machine
 * can't read them) and kept across restarts, like an IAM user's access key.
 */
export function ownCredentials(stateDir: string): Credentials {
  const kept = keptCredentials(stateDir);
  if (kept) return kept;
  const path = join(stateDir, 'credentials.json');
  const id = [...randomBytes(16)].map((b) => BASE32[b % 32]).join('');
  const credentials = { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}

/**
 * The credentials a strict local cloud of `stateDir` generated, for its
 * clients in other processes (the CLI), or undefined when it has none yet.
 */
export function keptCredentials(stateDir: string): Credentials | undefined {
  try {
    const kept = JSON.parse(readFileSync(join(stateDir, 'credentials.json'), 'utf8')) as Partial<Credentials>;
    if (typeof kept.accessKeyId === 'string' && typeof kept.secretAccessKey === 'string')
      return { accessKeyId: kept.accessKeyId, secretAccessKey: kept.secretAccessKey };
  } catch {
    // none yet, or unreadable
  }
  return undefined;
}

/** A key kept in the state directory (mode 0600), made on first use: what registry tokens are signed with. */
export function stateKey(stateDir: string, name: string): Buffer {
  const path = join(stateDir, `${name}.key`);
  try {
    const kept = readFileSync(path);
    if (kept.length === 32) return kept;
  } catch {
    // made below
  }
  const key = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}

/**
 * Strict mode's state directory is its owner's alone (mode 0700): the
 * deployment records, images and keys in it are no other user's to read.
 */
export function privateStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
}

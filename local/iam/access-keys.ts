import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a function or task is given to call AWS as its role (the SDK reads them from the environment). */
export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Who a request's credentials name. */
export interface KeyHolder {
  roleArn: string;
  /** The role session: the function's name, the task's id. */
  session: string;
}

interface Issued {
  roleArn: string;
  secretAccessKey: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TOKEN_PREFIX = 'stepship-local.';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * Temporary credentials per role, as STS hands them out: an `ASIA…` access
 * key id derived from the role's ARN (so a role keeps its key across runs),
 * a secret kept in the local cloud's state directory, and a session token
 * that carries the session name. Only keys issued here name a role; any
 * other key (the user's own CLI or SDK) names no one and is not checked.
 */
export class AccessKeys {
  private readonly byKeyId = new Map<string, Issued>();

  /** `file`: where secrets survive restarts (absent: kept in memory only). */
  constructor(private readonly file?: string) {
    if (!file) return;
    let saved: unknown;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return;
    }
    if (typeof saved !== 'object' || saved === null) return;
    for (const [keyId, entry] of Object.entries(saved as Record<string, Partial<Issued>>)) {
      if (typeof entry?.roleArn === 'string' && typeof entry.secretAccessKey === 'string')
        this.byKeyId.set(keyId, { roleArn: entry.roleArn, secretAccessKey: entry.secretAccessKey });
    }
  }

  /** Credentials for a session of `roleArn`; the same role always gets the same key. */
  issue(roleArn: string, sessionName: string): RoleCredentials {
    const session = asSessionName(sessionName);
    const accessKeyId = keyIdOf(roleArn);
    let issued = this.byKeyId.get(accessKeyId);
    if (!issued) {
      issued = { roleArn, secretAccessKey: randomBytes(30).toString('base64') };
      this.byKeyId.set(accessKeyId, issued);
      this.save();
    }
    const sessionToken = `${TOKEN_PREFIX}${Buffer.from(JSON.stringify({ k: accessKeyId, s: session })).toString('base64url')}`;
    return { accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken };
  }

  /** The role and session a request's key and token name, or undefined for a key not issued here. */
  holderOf(accessKeyId: string, sessionToken: string | undefined): KeyHolder | undefined {
    const issued = this.byKeyId.get(accessKeyId);
    if (!issued) return undefined;
    return {
      roleArn: issued.roleArn,
      session: sessionOf(sessionToken, accessKeyId) ?? roleName(issued.roleArn),
    };
  }

  /** The secret of a key issued here (what strict mode checks signatures with), or undefined. */
  secretOf(accessKeyId: string): string | undefined {
    return this.byKeyId.get(accessKeyId)?.secretAccessKey;
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.byKeyId), null, 2), { mode: 0o600 });
  }
}

function keyIdOf(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn).digest();
  let id = 'ASIA';
  for (let i = 0; id.length < 20; i++) id += BASE32[(digest[i] ?? 0) % 32];
  return id;
}

function sessionOf(token: string | undefined, accessKeyId: string): string | undefined {
  if (!token?.startsWith(TOKEN_PREFIX)) return undefined;
  try {
    const body = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8')) as {
      k?: unknown;
      s?: unknown;
    };
    return body.k === accessKeyId && typeof body.s === 'string' && SESSION_NAME.test(body.s)
      ? body.s
      : undefined;
  } catch {
    return undefined;
  }
}

/** STS's session names are 2 to 64 of `[\w+=,.@-]`; anything else is made into one. */
function asSessionName(name: string): string {
  const cleaned = name.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : cleaned.padEnd(2, '_');
}

const roleName = (roleArn: string) => roleArn.split('/').pop() ?? roleArn;

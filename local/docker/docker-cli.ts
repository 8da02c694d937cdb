import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The docker client to use; DOCKER overrides. */
export const DOCKER = process.env.DOCKER ?? 'docker';

export async function docker(args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await run(DOCKER, args, {
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Undefined when a Docker engine answers; otherwise why not. */
export async function dockerUnavailableReason(): Promise<string | undefined> {
  try {
    await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 });
    return undefined;
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return `no Docker engine reachable through "${DOCKER}" (${detail})`;
  }
}

/**
 * Certificates to trust inside build containers besides Node's own roots:
 * STEPSHIP_EXTRA_CA_CERTS (a PEM file), else the machine's locally added CAs
 * (/usr/local/share/ca-certificates), which is where a TLS-inspecting proxy's CA
 * lives on Debian. Passed to the build stage only; never part of an image.
 */
export function extraCaCertificates(): string {
  const explicit = process.env.STEPSHIP_EXTRA_CA_CERTS;
  if (explicit) return readFileSync(explicit, 'utf8');
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((name) => name.endsWith('.crt'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

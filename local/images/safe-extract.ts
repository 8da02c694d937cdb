import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { unzipSync } from 'fflate';

/** An archive entry that would land outside the folder it is extracted into (a "zip slip"). */
export class UnsafeArchiveEntryError extends Error {
  constructor(readonly entry: string) {
    super(`Archive entry "${entry}" escapes the folder it is extracted into`);
    this.name = 'UnsafeArchiveEntryError';
  }
}

/**
 * Where an archive entry belongs under `root`. Entries are refused, not
 * cleaned up: an absolute path, a drive letter, a `..` segment or a NUL is
 * never in an archive we made, and the final check is by relative path (a
 * prefix test would accept `../<root>x/evil`).
 */
export function entryTarget(root: string, entry: string): string {
  const path = entry.replaceAll('\\', '/');
  if (
    path === '' ||
    path.includes('\0') ||
    path.startsWith('/') ||
    /^[A-Za-z]:/.test(path) ||
    path.split('/').includes('..')
  )
    throw new UnsafeArchiveEntryError(entry);
  const base = resolve(root);
  const target = resolve(base, path);
  const inside = relative(base, target);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside))
    throw new UnsafeArchiveEntryError(entry);
  return target;
}

/**
 * Extracts a zip into `root`, every entry checked before anything is
 * written, so a bad archive leaves nothing behind. Folder entries are implied
 * by their files. Returns the number of files written.
 */
export function extractZip(zip: Uint8Array, root: string): number {
  const entries = Object.entries(unzipSync(zip)).filter(([name]) => !name.endsWith('/'));
  const files = entries.map(([name, data]) => [entryTarget(root, name), data] as const);
  for (const [target, data] of files) {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return files.length;
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';

/** What never belongs in a build's source (the Dockerfile's .dockerignore says the same). */
const EXCLUDED = new Set(['node_modules', 'dist', '.git', '.stepship']);

/** Zips a service folder for CodeBuild's S3 source; timestamps fixed, so the same tree gives the same bytes. */
export function zipFolder(dir: string): Uint8Array {
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      if (EXCLUDED.has(name)) continue;
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = [readFileSync(path), { mtime: new Date('1980-01-01T00:00:00Z') }];
    }
  };
  walk(dir);
  return zipSync(files);
}

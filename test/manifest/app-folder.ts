import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ManifestError, type ManifestProblem, parseManifest } from '../../manifest/index.js';

/** A throwaway app folder holding these files (paths relative to it). */
export function appFolder(files: Record<string, string>): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'stepship-manifest-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Manifest text from lines, so that a test can count them. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The problems parseManifest reports, or a failure when it accepts the manifest. */
export function problemsOf(text: string, root: string): ManifestProblem[] {
  try {
    parseManifest(text, 'stepship.yml', root);
  } catch (err) {
    if (err instanceof ManifestError) return err.problems;
    throw err;
  }
  throw new Error('the manifest was accepted');
}

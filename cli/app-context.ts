import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadManifest } from '../manifest/index.js';
import type { AppModel } from '../manifest/model.js';

/** Where an app's local state lives: `<app>/.stepship` (or STEPSHIP_STATE_DIR), its assembly inside. */
export interface LocalPaths {
  stateDir: string;
  assemblyDir: string;
}

/** The app in `--app DIR` (or the current folder): its manifest, validated. */
export function loadApp(dir: string | undefined): AppModel {
  return loadManifest(resolve(dir ?? process.cwd()));
}

export function localPaths(app: AppModel): LocalPaths {
  const stateDir = process.env.STEPSHIP_STATE_DIR
    ? resolve(process.env.STEPSHIP_STATE_DIR)
    : join(app.root, '.stepship');
  return { stateDir, assemblyDir: join(stateDir, 'cdk.out') };
}

/** Creates the state folder with a .gitignore of its own, so it never ends up in the user's commits. */
export function ensureStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true });
  const ignore = join(stateDir, '.gitignore');
  if (!existsSync(ignore))
    writeFileSync(ignore, '# stepship local state: images, the synthesized app, the local CA\n*\n');
}

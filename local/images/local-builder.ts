import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

export interface BuiltApp {
  files: Record<string, Uint8Array>;
  entrypoint: string[];
  exposedPorts: number[];
}

/**
 * Builds the service without Docker: esbuild bundles `src/server.ts` and its
 * dependencies into one ES module (`app/server.mjs`), beside the static files
 * of `public/`. Dependencies resolve from the service's own node_modules, else
 * from `nodePaths` (the project's node_modules), so no network is needed.
 */
export async function buildServiceApp(serviceDir: string, nodePaths: string[]): Promise<BuiltApp> {
  const entry = join(serviceDir, 'src', 'server.ts');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: 'app/server.mjs',
    write: false,
    nodePaths,
    logLevel: 'silent',
    legalComments: 'none',
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    absWorkingDir: serviceDir,
  });
  const files: Record<string, Uint8Array> = {};
  for (const out of result.outputFiles)
    files[relative(serviceDir, out.path).replace(/^(\.\.\/)+/, '')] = out.contents;
  const publicDir = join(serviceDir, 'public');
  for (const path of walk(publicDir)) files[`public/${relative(publicDir, path)}`] = readFileSync(path);
  return { files, entrypoint: ['node', 'app/server.mjs'], exposedPorts: [3000] };
}

function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

import { existsSync, readdirSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { build, type Message, type Metafile } from 'esbuild';
import type { PackageJson, StartCommand } from './node-app.js';

export type BundleResult =
  | { kind: 'bundled'; entry: string; files: Record<string, Uint8Array> }
  | { kind: 'not-bundled'; reason: string };

/** Node options that load modules by name at start: those must be on disk, not in a bundle. */
const PRELOADS = /^(-r|--require|--import|--loader|--experimental-loader)(=|$)/;
/**
 * An ES module bundle of CommonJS code needs `require` (for what stays
 * outside the bundle: Node's own modules, computed names), `__dirname` and
 * `__filename`. `require` is given globally, since esbuild's helper looks it
 * up there and the app may declare its own (`const require =
 * createRequire(…)`); the others are renamed to names no module can clash
 * with. `require` itself is not renamed: esbuild would no longer see the
 * calls it must bundle.
 */
const ESM_BANNER = [
  "import{createRequire as __stepshipCreateRequire}from'node:module';",
  "import{fileURLToPath as __stepshipFileURLToPath}from'node:url';",
  "import{dirname as __stepshipDirname}from'node:path';",
  'globalThis.require??=__stepshipCreateRequire(import.meta.url);',
  'const __stepship_filename=__stepshipFileURLToPath(import.meta.url);',
  'const __stepship_dirname=__stepshipDirname(__stepship_filename);',
].join('');
const ESM_DEFINES = { __filename: '__stepship_filename', __dirname: '__stepship_dirname' };

/**
 * Bundles the app's entry point and what it imports into one file with
 * esbuild, written where the entry point was (so relative paths and the
 * package's module type still hold). Declines, with the reason, when a bundle
 * would not run as the app does: modules preloaded by the start command,
 * native addons, modules loaded by computed names, or declared dependencies
 * the bundle never reaches (loaded at run time by name).
 */
export async function bundleApp(dir: string, start: StartCommand, pkg: PackageJson): Promise<BundleResult> {
  const preload = start.nodeArgs.find((a) => PRELOADS.test(a));
  if (preload) return declined(`the start command preloads modules (${preload})`);
  const format = moduleFormat(start.entry, pkg);
  const entry = outputPath(start.entry, format);
  let result: Awaited<ReturnType<typeof build>> & { metafile: Metafile };
  try {
    result = await build({
      entryPoints: [join(dir, start.entry)],
      bundle: true,
      platform: 'node',
      format,
      target: `node${process.versions.node.split('.')[0]}`,
      outfile: join(dir, entry),
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Reported at debug level by default: raised so the app's own computed imports are seen.
      logOverride: { 'unsupported-require-call': 'warning', 'unsupported-dynamic-import': 'warning' },
      legalComments: 'none',
      absWorkingDir: dir,
      // An entry without an extension (express-generator's bin/www) is JavaScript, as Node reads it.
      loader: { '': 'js' },
      ...(format === 'esm' ? { banner: { js: ESM_BANNER }, define: ESM_DEFINES } : {}),
    });
  } catch (err) {
    const first = (err as { errors?: Message[] }).errors?.[0];
    return declined(`esbuild could not bundle it (${first ? describe(first) : (err as Error).message})`);
  }
  const computed = result.warnings.find(
    (w) => w.id.startsWith('unsupported-') && w.location && !w.location.file.includes('node_modules/'),
  );
  if (computed) return declined(`it loads modules by computed names (${describe(computed)})`);
  const packages = inputPackages(dir, result.metafile);
  const native = [...packages].find(([, root]) => hasNativeAddon(root))?.[0];
  if (native) return declined(`${native} is a native addon`);
  const unreached = Object.keys(pkg.dependencies ?? {}).filter(
    (name) => !packages.has(name) && !name.startsWith('@types/'),
  );
  if (unreached.length)
    return declined(`the code never imports ${unreached.join(', ')} by name (loaded at run time?)`);
  const files: Record<string, Uint8Array> = {};
  for (const out of result.outputFiles ?? []) files[relative(dir, out.path)] = out.contents;
  return { kind: 'bundled', entry, files };
}

const declined = (reason: string): BundleResult => ({ kind: 'not-bundled', reason });

function moduleFormat(entry: string, pkg: PackageJson): 'esm' | 'cjs' {
  const ext = extname(entry);
  if (ext === '.mjs' || ext === '.mts') return 'esm';
  if (ext === '.cjs' || ext === '.cts') return 'cjs';
  return pkg.type === 'module' ? 'esm' : 'cjs';
}

/** The bundle replaces a JavaScript entry in place; a TypeScript one gets a JavaScript file beside it. */
function outputPath(entry: string, format: 'esm' | 'cjs'): string {
  if (!/\.[cm]?ts$/.test(entry)) return entry;
  return entry.replace(/\.[cm]?ts$/, format === 'esm' ? '.mjs' : '.cjs');
}

/** Each package the bundle took code from, by name, with its folder. */
function inputPackages(dir: string, metafile: Metafile): Map<string, string> {
  const packages = new Map<string, string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] && match[2] && !packages.has(match[2]))
      packages.set(match[2], resolve(dir, match[1], match[2]));
  }
  return packages;
}

/** A compiled addon (`.node`) or the recipe for one (binding.gyp) in the package. */
function hasNativeAddon(root: string, depth = 0): boolean {
  if (depth === 0 && existsSync(join(root, 'binding.gyp'))) return true;
  if (depth > 3) return false;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((e) =>
    e.isDirectory()
      ? e.name !== 'node_modules' && hasNativeAddon(join(root, e.name), depth + 1)
      : e.name.endsWith('.node'),
  );
}

function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
  return `${where}${message.text}`;
}

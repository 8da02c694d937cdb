import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parse as parseShell } from 'shell-quote';

/** What the embedded builder cannot run; the message says why and what to use instead. */
export class UnsupportedAppError extends Error {
  constructor(reason: string) {
    super(
      `${reason}. The embedded builder runs Node apps only (a package.json whose start script or main is a Node entry point); build and run this app with a Docker engine instead (--runtime docker).`,
    );
    this.name = 'UnsupportedAppError';
  }
}

export interface PackageJson {
  name?: string;
  type?: string;
  main?: string;
  scripts?: Record<string, string>;
  workspaces?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface NodeApp {
  pkg: PackageJson;
  /** Ports the Dockerfile exposes, if it has one. */
  exposedPorts: number[];
}

/** How the app starts: `node [nodeArgs] entry [args]`, with `env` set. */
export interface StartCommand {
  entry: string;
  nodeArgs: string[];
  args: string[];
  env: Record<string, string>;
}

/** Node's options that take their value as the next argument. */
const OPTIONS_WITH_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--env-file',
  '--title',
  '--input-type',
  '--stack-size',
]);
const INLINE_CODE = new Set(['-e', '--eval', '-p', '--print', '-i', '--interactive', '-']);

/** Reads the app's package.json, and its Dockerfile if it has one, failing for what isn't a Node app. */
export function readNodeApp(dir: string): NodeApp {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) throw new UnsupportedAppError(`There is no package.json in ${dir}`);
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as PackageJson;
  } catch (err) {
    throw new UnsupportedAppError(`package.json is not valid JSON (${(err as Error).message})`);
  }
  const dockerfile = join(dir, 'Dockerfile');
  return {
    pkg,
    exposedPorts: existsSync(dockerfile) ? checkDockerfile(readFileSync(dockerfile, 'utf8')) : [],
  };
}

/**
 * Every stage of the Dockerfile must start from a Node image (or an earlier
 * stage): what else it builds, the embedded builder could not. Returns the
 * final stage's exposed ports.
 */
function checkDockerfile(text: string): number[] {
  const dockerfile = DockerfileParser.parse(text);
  const stages = new Set<string>();
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) throw new UnsupportedAppError('The Dockerfile has no FROM instruction');
  for (const from of froms) {
    const line = from.getRange().start.line;
    const image = (from.getImage() ?? '').replace(
      /\$\{?(\w+)\}?/g,
      (_match, name: string) => dockerfile.resolveVariable(name, line) ?? '',
    );
    if (!stages.has(image.toLowerCase()) && !isNodeImage(image))
      throw new UnsupportedAppError(
        `The Dockerfile builds from ${image || from.getImage()}, which is not a Node image`,
      );
    const stage = from.getBuildStage();
    if (stage) stages.add(stage.toLowerCase());
  }
  const finalStart = froms.at(-1)?.getRange().start.line ?? 0;
  return dockerfile
    .getInstructions()
    .filter((i) => i.getKeyword() === 'EXPOSE' && i.getRange().start.line > finalStart)
    .flatMap((i) => i.getArguments().map((a) => Number.parseInt(a.getValue(), 10)))
    .filter((port) => Number.isInteger(port) && port > 0 && port < 65536);
}

/** `node:24-slim`, `public.ecr.aws/docker/library/node`, `gcr.io/distroless/nodejs22-debian12`… */
function isNodeImage(image: string): boolean {
  const repository = image.split('@')[0]?.replace(/:[^/]*$/, '') ?? '';
  const name = repository.split('/').at(-1) ?? '';
  return /^node(js)?(\d+)?([-_.].*)?$/i.test(name);
}

/**
 * What `npm start` would run, when that is Node: the start script (`node
 * [options] file [args]`, after `NAME=value` assignments), else npm's default
 * `node server.js`, else the package's main (`node .`).
 */
export function startCommand(dir: string, pkg: PackageJson): StartCommand {
  const script = pkg.scripts?.start;
  if (script !== undefined) return fromScript(dir, script);
  if (existsSync(join(dir, 'server.js'))) return { entry: 'server.js', nodeArgs: [], args: [], env: {} };
  const main = resolveEntry(dir, pkg.main ?? '.');
  if (!main)
    throw new UnsupportedAppError(
      `package.json has no start script, and there is no server.js and no ${pkg.main ? `main file ${pkg.main}` : 'index.js'} to start`,
    );
  return { entry: main, nodeArgs: [], args: [], env: {} };
}

function fromScript(dir: string, script: string): StartCommand {
  const notNode = (why: string) =>
    new UnsupportedAppError(`The start script "${script}" ${why}, not a plain "node <file>" command`);
  if (/[$`]/.test(script)) throw notNode('expands shell variables or commands');
  const tokens = parseShell(script);
  if (tokens.some((t) => typeof t !== 'string')) throw notNode('is a shell pipeline or list');
  const words = tokens as string[];
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Za-z_]\w*=/.test(words[0])) {
    const [name = '', ...value] = (words.shift() ?? '').split('=');
    env[name] = value.join('=');
  }
  if (words.shift() !== 'node') throw notNode(`runs ${words.length ? 'another program' : 'nothing'}`);
  const nodeArgs: string[] = [];
  while (words[0]?.startsWith('-')) {
    const option = words.shift() ?? '';
    if (INLINE_CODE.has(option.split('=')[0] ?? '')) throw notNode('runs inline code');
    nodeArgs.push(option);
    if (OPTIONS_WITH_VALUE.has(option) && words[0] !== undefined) nodeArgs.push(words.shift() ?? '');
  }
  const [file, ...args] = words;
  if (!file) throw notNode('names no file');
  const entry = resolveEntry(dir, file);
  if (!entry)
    throw new UnsupportedAppError(
      `The start script runs ${file}, which does not exist (after the build, if the app has one)`,
    );
  return { entry, nodeArgs, args, env };
}

/** The file `node <spec>` runs, relative to the app, as Node resolves it (extensions, a folder's main or index). */
function resolveEntry(dir: string, spec: string, depth = 0): string | undefined {
  const base = resolve(dir, spec);
  if (relative(dir, base).startsWith('..')) return undefined;
  for (const candidate of [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`])
    if (isFile(candidate)) return relative(dir, candidate);
  if (!isDirectory(base) || depth > 2) return undefined;
  const manifest = join(base, 'package.json');
  const main = isFile(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as PackageJson).main
    : undefined;
  const fromMain = main ? resolveEntry(dir, join(relative(dir, base), main), depth + 1) : undefined;
  if (fromMain) return fromMain;
  return isFile(join(base, 'index.js')) ? relative(dir, join(base, 'index.js')) : undefined;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Reading stepship.yml into the app model, or one ManifestError listing every problem. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { buildModel } from './build-model.js';
import { crossCheck } from './cross-checks.js';
import { type Finding, formatKeyPath, ManifestError, type ManifestProblem } from './errors.js';
import { fallbackMessage, findingsOf } from './issues.js';
import type { AppModel } from './model.js';
import { partsOf, salvage } from './parts.js';
import { manifestSchema } from './schema.js';
import { readYaml, valueAt, type YamlSource } from './yaml-source.js';

export const MANIFEST_NAMES = ['stepship.yml', 'stepship.yaml'] as const;

/** Loads the manifest of a folder (stepship.yml or stepship.yaml) or a manifest file. */
export function loadManifest(dirOrFile: string): AppModel {
  const path = resolve(dirOrFile);
  const file = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? findManifest(path) : path;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError([{ file: shown(file), path: '', message: `cannot be read: ${String(err)}` }], {
      cause: err,
    });
  }
  // Messages name the file as the user sees it; the model keeps its absolute path.
  return { ...parseManifest(text, shown(file), dirname(file)), file };
}

function findManifest(folder: string): string {
  const found = MANIFEST_NAMES.map((name) => join(folder, name)).filter((candidate) => existsSync(candidate));
  const [first, second] = found;
  if (first === undefined) {
    const message = `no ${MANIFEST_NAMES.join(' or ')} here: create one (a minimal one names app and services)`;
    throw new ManifestError([{ file: shown(folder), path: '', message }]);
  }
  if (second !== undefined) {
    throw new ManifestError([
      { file: shown(second), path: '', message: `is ambiguous next to ${shown(first)}: keep one of them` },
    ]);
  }
  return first;
}

/** Relative to the working directory when inside it, as a terminal or an editor can open it. */
function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near === '' ? '.' : near.startsWith('..') || isAbsolute(near) ? path : near;
}

/**
 * Parses manifest text. `file` names it in messages; `root` is the folder
 * relative paths (build contexts) are resolved against.
 */
export function parseManifest(text: string, file: string, root: string): AppModel {
  const source = readYaml(text);
  if (source.syntaxProblems.length > 0) {
    throw new ManifestError(sorted(source.syntaxProblems.map((problem) => ({ file, path: '', ...problem }))));
  }
  const result = manifestSchema.safeParse(source.value, { error: fallbackMessage });
  const findings = result.success ? [] : findingsOf(result.error.issues, manifestSchema, source.value);
  findings.push(...crossCheck(result.success ? partsOf(result.data) : salvage(source.value), resolve(root)));
  if (!result.success || findings.length > 0) {
    throw new ManifestError(sorted(unique(findings.map((finding) => locate(finding, source, file)))));
  }
  return buildModel(result.data, resolve(root), file);
}

function locate(finding: Finding, source: YamlSource, file: string): ManifestProblem {
  const value = valueAt(source.value, finding.path);
  const got = finding.showValue && value !== undefined ? ` (got ${describeValue(value)})` : '';
  return {
    file,
    ...source.locate(finding.path),
    path: formatKeyPath(finding.path),
    message: `${finding.message}${got}`,
  };
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a map';
  return JSON.stringify(value);
}

function unique(problems: ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\0${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sorted(problems: ManifestProblem[]): ManifestProblem[] {
  return problems.toSorted(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path),
  );
}

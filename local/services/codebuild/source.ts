import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { entryTarget, extractZip, UnsafeArchiveEntryError } from '../../images/safe-extract.js';

/** A failure with the phase context CodeBuild reports (statusCode, message). */
export class BuildFailure extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'BuildFailure';
  }
}

export interface Buildspec {
  env?: { variables?: Record<string, unknown>; 'exported-variables'?: string[] };
  phases?: Record<string, { commands?: string[] } | undefined>;
}

/** `bucket/key`, `s3://bucket/key` or `arn:aws:s3:::bucket/key`, as CodeBuild's S3 source location. */
export function s3Location(location: string): { bucket: string; key: string } {
  const path = location.replace(/^s3:\/\//, '').replace(/^arn:aws[a-z-]*:s3:::/, '');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1)
    throw new BuildFailure('CLIENT_ERROR', `Invalid S3 source location: ${location} (expected bucket/key)`);
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

/** The source zip, extracted into the build's folder; an entry that escapes it fails the download. */
export function extractSource(zip: Uint8Array, into: string, location: string): void {
  try {
    extractZip(zip, into);
  } catch (err) {
    if (err instanceof UnsafeArchiveEntryError)
      throw new BuildFailure('CLIENT_ERROR', `Source archive ${location} is refused: ${err.message}`);
    throw new BuildFailure(
      'CLIENT_ERROR',
      `Source ${location} is not a readable zip archive: ${(err as Error).message}`,
    );
  }
}

/**
 * The buildspec as CodeBuild finds it: inline YAML; else a path relative to
 * the source root; else the source's own buildspec.yml. A missing or
 * unreadable one is a YAML_FILE_ERROR, reported in DOWNLOAD_SOURCE.
 */
export function loadBuildspec(text: string, sourceDir: string): Buildspec {
  const inline = text.trim() === '' ? undefined : parseYaml(text, 'the project buildspec');
  if (inline && typeof inline === 'object' && !Array.isArray(inline)) return inline as Buildspec;
  if (inline !== undefined && typeof inline !== 'string')
    throw new BuildFailure(
      'YAML_FILE_ERROR',
      'The project buildspec is neither a buildspec nor a path to one',
    );
  const relativePath = typeof inline === 'string' ? inline : 'buildspec.yml';
  let file: string;
  try {
    file = entryTarget(sourceDir, relativePath);
  } catch {
    throw new BuildFailure('YAML_FILE_ERROR', `The buildspec path ${relativePath} is outside the source`);
  }
  if (!existsSync(file))
    throw new BuildFailure(
      'YAML_FILE_ERROR',
      `YAML file does not exist: stat ${join('$CODEBUILD_SRC_DIR', relativePath)}: no such file or directory`,
    );
  const spec = parseYaml(readFileSync(file, 'utf8'), relativePath);
  if (!spec || typeof spec !== 'object' || Array.isArray(spec))
    throw new BuildFailure('YAML_FILE_ERROR', `${relativePath} is not a buildspec (expected a YAML mapping)`);
  return spec as Buildspec;
}

function parseYaml(text: string, what: string): unknown {
  try {
    return parse(text);
  } catch (err) {
    throw new BuildFailure(
      'YAML_FILE_ERROR',
      `Error parsing ${what}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
}

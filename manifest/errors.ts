/** A key path into the manifest: map keys and list indexes, e.g. ['services', 'web', 'path', 1]. */
export type KeyPath = readonly (string | number)[];

/** A problem found before its position in the file is known. */
export interface Finding {
  path: KeyPath;
  /** What is wrong and what is allowed, e.g. `must be an integer from 1 to 65535`. */
  message: string;
  /** Append `(got <the value at path>)` from the manifest's text. */
  showValue?: boolean;
}

/** One problem of a manifest, where an editor can jump to it. */
export interface ManifestProblem {
  file: string;
  /** 1-based; absent for problems of the file as a whole (not found, unreadable). */
  line?: number;
  column?: number;
  /** The key path as written in messages, e.g. `services.web.port`; empty for the document itself. */
  path: string;
  message: string;
}

/** Every problem of a manifest at once, sorted by line: the message lists them one per line. */
export class ManifestError extends Error {
  constructor(
    readonly problems: ManifestProblem[],
    options?: ErrorOptions,
  ) {
    super(problems.map(formatProblem).join('\n'), options);
    this.name = 'ManifestError';
  }
}

/** `stepship.yml:7:5: services.web.port: must be an integer from 1 to 65535 (got "http")` */
export function formatProblem(problem: ManifestProblem): string {
  const where =
    problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path === ''
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.path}: ${problem.message}`;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Dotted for plain keys, bracketed for indexes and for keys with dots or spaces (`json["db.tables"]`). */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloud } from '../../local/cloud.js';

/**
 * Functions to invoke, as bundles on disk: `echo` answers its event and its
 * GREETING variable, or fails (AskedToFailError) when the event says `fail`.
 */
export const FUNCTION_SOURCES = {
  echo: "export const handler = async (event) => { if (event?.fail) { const e = new Error('it failed as asked'); e.name = 'AskedToFailError'; throw e; } console.log('event', JSON.stringify(event)); return { echo: event, greeting: process.env.GREETING }; };",
  /** Ends its own runtime, as a crashing native module or process.exit would. */
  exits: 'export const handler = async () => { process.exit(3); };',
  /** A rejection nobody handles, after answering: the runtime dies with it. */
  rejectsLater:
    "export const handler = async () => { setTimeout(() => Promise.reject(new Error('late failure')), 10); await new Promise((r) => setTimeout(r, 500)); return 'unreachable'; };",
  /** Throws while loading. */
  brokenImport: "throw new Error('cannot load');\nexport const handler = async () => 'never';",
  /** Appends each event it is given, as one JSON line, to the file RECORD_TO names (in the order it is invoked). */
  records:
    "import { appendFileSync } from 'node:fs'; export const handler = async (event) => { appendFileSync(process.env.RECORD_TO, `${JSON.stringify(event)}\\n`); return 'recorded'; };",
  sleeps:
    'export const handler = async () => { await new Promise((r) => setTimeout(r, 5000)); return "late"; };',
} as const;

export function createFunction(
  cloud: LocalCloud,
  name: string,
  source: keyof typeof FUNCTION_SOURCES,
  options: { timeoutSeconds?: number; variables?: Record<string, string> } = {},
): void {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-fn-'));
  writeFileSync(join(dir, 'index.mjs'), FUNCTION_SOURCES[source]);
  cloud.lambda.create(cloud.scope, {
    name,
    bundle: join(dir, 'index.mjs'),
    handlerName: 'handler',
    environment: { GREETING: 'hello', ...options.variables },
    variables: { GREETING: 'hello', ...options.variables },
    timeoutSeconds: options.timeoutSeconds ?? 5,
    logGroup: `/aws/lambda/${name}`,
  });
}

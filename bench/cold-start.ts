/**
 * What a cold start costs per function: the bundle's size, and the CPU time
 * (user + system) and wall time Node 24 takes to load it and run its module
 * scope (clients, configuration) — the init a cold start pays before the
 * handler runs. Each sample is a fresh process, as each cold start is.
 *
 *   npx tsx bench/cold-start.ts [--samples N] [--assembly cdk.out]
 *
 * Without --assembly, the demo app is synthesized with its bundles first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENV } from '../functions/contract/environment.js';
import { synthesize } from '../orchestration/synthesize.js';
import { demoApp } from '../test/helpers/local-deployment.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '15' }, assembly: { type: 'string' } },
});
const samples = Number(values.samples);
if (!Number.isInteger(samples) || samples < 1) throw new Error(`--samples must be a positive integer`);

const node = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
const assembly =
  values.assembly ??
  (() => {
    const outdir = mkdtempSync(join(tmpdir(), 'stepship-cold-start-'));
    synthesize({ outdir, app: demoApp(), bundle: true });
    return outdir;
  })();

interface FunctionResource {
  Type: string;
  Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } };
}
const template = JSON.parse(readFileSync(join(assembly, 'Stepship-web-Pipeline.template.json'), 'utf8')) as {
  Resources: Record<string, FunctionResource>;
};
const probe = join(mkdtempSync(join(tmpdir(), 'stepship-probe-')), 'probe.mjs');
writeFileSync(
  probe,
  `const cpu = process.cpuUsage(); const t = performance.now();
await import(process.argv[2]);
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ cpu: (used.user + used.system) / 1000, wall: performance.now() - t }));`,
);

const rows: string[] = [];
for (const [id, fn] of Object.entries(template.Resources)) {
  // The asset's zip is named by its hash, as its folder in the assembly is.
  const hash = /^([0-9a-f]{64})\.zip$/.exec(fn.Properties.Code?.S3Key ?? '')?.[1];
  if (fn.Type !== 'AWS::Lambda::Function' || !hash) continue;
  const bundle = join(assembly, `asset.${hash}`, 'index.mjs');
  // Values the template gives as tokens (a table's name…) only need to be present, and well-formed, to load.
  const variables = Object.fromEntries(
    Object.entries(fn.Properties.Environment?.Variables ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : k === ENV.serviceRepositories ? '{"web":"web"}' : 'x',
    ]),
  );
  const env = {
    PATH: process.env.PATH,
    ...variables,
    AWS_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: id,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
  };
  const runs = Array.from({ length: samples }, () => {
    const out = execFileSync(node, [probe, bundle], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { cpu: number; wall: number };
  });
  const name = id.replace(/^Steps/, '').replace(/Function[0-9A-F]{8}$/, '');
  rows.push(
    `| ${name} | ${(statSync(bundle).size / 1024).toFixed(0)} KiB | ${median(runs.map((r) => r.cpu)).toFixed(0)} ms | ${median(runs.map((r) => r.wall)).toFixed(0)} ms |`,
  );
}
console.log(
  [
    `Cold start (module load) per function — ${samples} fresh processes each, median; Node ${process.version}`,
    '',
    '| function | bundle | init CPU | init wall |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n'),
);

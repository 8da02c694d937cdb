/**
 * Deployment latency on the local cloud: N stepship deployments against a
 * baseline measured in the same run (a bare rollout: RegisterTaskDefinition +
 * UpdateService + polling until the deployment is COMPLETED, as a minimal
 * deployer would, with no build and no verification).
 *
 * Reports per phase (build, register, rollout, verify) and in total the median
 * and spread; the orchestration overhead (total minus the time the local
 * cloud itself spent starting tasks, health checking, draining and stopping,
 * by its own clock); state transitions and Lambda invocations per deployment,
 * and what they would cost on AWS.
 *
 *   npm run bench -- [--runs N]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { follow, startFromSource } from '../cli/deploy.js';
import { startLocal } from '../cli/start.js';
import { loadManifest } from '../manifest/index.js';

/** us-east-1 list prices as AWS publishes them (Step Functions and Fargate re-read 2026-11-23; Lambda and CodeBuild from their pricing pages). */
const PRICES = {
  stateTransition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaArmGbSecond: 0.0000133334,
  codebuildLinuxMediumMinute: 0.01,
};
const LAMBDA_MEMORY_GB = 0.25;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got ${values.runs}`);

const root = fileURLToPath(new URL('../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'stepship-bench-'));
const log = (line: string) => process.stderr.write(`${line}\n`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const summary = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

function variant(n: number): string {
  const dir = join(work, `service-${n}`);
  cpSync(join(root, 'service'), dir, {
    recursive: true,
    filter: (src) => !src.includes('node_modules') && !src.includes('/dist'),
  });
  const page = join(dir, 'public', 'index.html');
  writeFileSync(page, readFileSync(page, 'utf8').replace('</main>', `<p>bench ${n}</p></main>`));
  return dir;
}

log(`Starting the local cloud and the first deployment (not measured)…`);
const env = await startLocal({
  app: loadManifest(join(root, 'service')),
  assemblyDir: join(work, 'cdk.out'),
  stateDir: join(work, 'state'),
  endpointPort: 0,
  loadBalancerPort: 0,
  reset: false,
  out: () => undefined,
});
if (env.outcome.status !== 'SUCCEEDED')
  throw new Error(`The first deployment ${env.outcome.status}: ${env.outcome.cause}`);
const { cloud, clients } = env;

async function bareRollout(n: number): Promise<number> {
  const service = (
    await clients.ecs.send(new DescribeServicesCommand({ cluster: 'stepship-web', services: ['web'] }))
  ).services?.[0];
  const current = (
    await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition }))
  ).taskDefinition;
  const started = Date.now();
  const container = {
    ...current?.containerDefinitions?.[0],
    environment: [
      ...(current?.containerDefinitions?.[0]?.environment ?? []),
      { name: 'BENCH_RUN', value: String(n) },
    ],
  };
  const registered = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: current?.family,
      taskRoleArn: current?.taskRoleArn,
      executionRoleArn: current?.executionRoleArn,
      networkMode: current?.networkMode,
      requiresCompatibilities: current?.requiresCompatibilities,
      cpu: current?.cpu,
      memory: current?.memory,
      containerDefinitions: [container as never],
    }),
  );
  const updated = await clients.ecs.send(
    new UpdateServiceCommand({
      cluster: 'stepship-web',
      service: 'web',
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
    }),
  );
  const id = updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  for (;;) {
    await sleep(1000);
    const d = (
      await clients.ecs.send(new DescribeServicesCommand({ cluster: 'stepship-web', services: ['web'] }))
    ).services?.[0]?.deployments?.find((x) => x.id === id);
    if (d?.rolloutState === 'COMPLETED') return Date.now() - started;
    if (d?.rolloutState === 'FAILED' || !d) throw new Error(`bare rollout ${id} failed`);
  }
}

const rows: {
  total: number;
  phases: Record<string, number>;
  busy: number;
  transitions: number;
  invocations: number;
  baseline: number;
}[] = [];
for (let n = 1; n <= runs; n++) {
  const baseline = await bareRollout(n);
  const invocationsBefore = cloud.lambda.invocations;
  const started = Date.now();
  const execution = await startFromSource(clients, env.target, variant(n), 'bench');
  const outcome = await follow(clients, execution.executionArn);
  const ended = Date.now();
  if (outcome.status !== 'SUCCEEDED') throw new Error(`deployment ${n} ${outcome.status}: ${outcome.cause}`);
  const item = (
    await cloud.dynamodb.send(
      new GetItemCommand({
        TableName: 'stepship-web-deployments',
        Key: { pk: { S: `DEPLOYMENT#${outcome.deploymentId}` }, sk: { S: 'RECORD' } },
      }),
    )
  ).Item;
  const record = item ? (unmarshall(item) as { timings: Record<string, number> }) : { timings: {} };
  const run = {
    total: outcome.totalMs,
    phases: record.timings,
    busy: cloud.activity.busyWithin(started, ended),
    transitions: cloud.sfn.findExecution(execution.executionArn)?.transitions ?? 0,
    invocations: cloud.lambda.invocations - invocationsBefore,
    baseline,
  };
  rows.push(run);
  log(
    `run ${n}: stepship ${fmt(run.total)}, bare rollout ${fmt(baseline)}, cloud busy ${fmt(run.busy)}, ${run.transitions} transitions, ${run.invocations} invocations`,
  );
}
await cloud.stop();
rmSync(work, { recursive: true, force: true });

const col = (f: (r: (typeof rows)[number]) => number) => rows.map(f);
const transitions = median(col((r) => r.transitions));
const invocations = median(col((r) => r.invocations));
const lambdaSeconds = 30; // generous: the steps' own time is a few seconds per deployment
const orchestrationCost =
  transitions * PRICES.stateTransition +
  invocations * PRICES.lambdaRequest +
  lambdaSeconds * LAMBDA_MEMORY_GB * PRICES.lambdaArmGbSecond;
const lines = [
  `stepship local deployment benchmark — ${runs} runs, ${new Date().toISOString().slice(0, 10)}, ${process.platform}/${process.arch}, Node ${process.version}`,
  '',
  '| measure | median (min–max) |',
  '| --- | --- |',
  ...['build', 'register', 'rollout', 'verify'].map(
    (p) => `| ${p} | ${summary(col((r) => r.phases[p] ?? 0))} |`,
  ),
  `| total (execution start → end) | ${summary(col((r) => r.total))} |`,
  `| local cloud busy (tasks starting, health checks, draining, stopping) | ${summary(col((r) => r.busy))} |`,
  `| orchestration overhead (total − busy) | ${summary(col((r) => r.total - r.busy))} |`,
  `| baseline: bare rollout (UpdateService + 1 s polls to COMPLETED) | ${summary(col((r) => r.baseline))} |`,
  `| ratio total / baseline | ${(median(col((r) => r.total)) / median(col((r) => r.baseline))).toFixed(2)} |`,
  '',
  `Per deployment: ${transitions} state transitions, ${invocations} Lambda invocations.`,
  `On AWS (us-east-1 list prices, 2026-11-23: $0.025 per 1,000 transitions, $0.20 per 1M Lambda requests, $0.0000133334 per GB-s on ARM, ${LAMBDA_MEMORY_GB * 1024} MB, ≤ ${lambdaSeconds} s of step time): $${orchestrationCost.toFixed(5)} per deployment for the orchestration,`,
  `plus the CodeBuild build when building from source (general1.medium, $${PRICES.codebuildLinuxMediumMinute}/min: about $0.02–0.05 for a 2–5 minute multi-arch build).`,
];
console.log(lines.join('\n'));

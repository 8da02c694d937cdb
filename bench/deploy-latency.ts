/**
 * Deployment latency on the local cloud: N deployments from source through
 * the state machine (after one unmeasured first deployment), at a chosen
 * task count.
 *
 * For each deployment, an observer outside stepship polls ECS every 50 ms and
 * notes when the rollout reads COMPLETED; **detection** is the time from
 * there to the state machine entering the state after the rollout wait
 * (VerifyTargets, from the execution history). The moment the new
 * deployment appears, two stock waiters start on the same rollout —
 * `aws ecs wait services-stable` (AWS CLI v2) and the JS SDK's
 * `waitUntilServicesStable`, both with their defaults — and their detection
 * is measured from the same COMPLETED moment.
 *
 * Also reported: each phase, the total, the local cloud's own busy time
 * (the build; tasks starting, health checks, draining, stopping) and the orchestration
 * overhead (total − busy), state transitions and Lambda invocations per
 * deployment, and what the orchestration would cost on AWS.
 *
 *   npm run bench -- [--runs N] [--tasks N[,M…]]
 *
 * With several task counts, each gets its own local cloud and table, and the
 * ratio of their median totals is printed last.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { type HistoryEvent, paginateGetExecutionHistory } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { follow, startFromSource } from '../cli/deploy.js';
import { type Running, startLocal } from '../cli/start.js';
import { STATE } from '../functions/contract/states.js';
import { LOCAL_CREDENTIALS } from '../local/cloud.js';
import type { ActivityLog } from '../local/runtime/activity.js';
import { loadManifest } from '../manifest/index.js';
import { OBSERVER_INTERVAL_MS, RolloutObserver } from './rollout-observer.js';
import { countSpread, median, seconds, spread } from './stats.js';
import { cliWaiter, sdkWaiter, type WaiterResult } from './stock-waiters.js';

/** us-east-1 list prices as AWS publishes them (Step Functions and Fargate re-read 2026-11-23; Lambda and CodeBuild from their pricing pages). */
const PRICES = {
  stateTransition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaArmGbSecond: 0.0000133334,
  codebuildLinuxMediumMinute: 0.01,
};
const LAMBDA_MEMORY_GB = 0.25;

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, tasks: { type: 'string', default: '2' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got ${values.runs}`);
const taskCounts = values.tasks.split(',').map(Number);
if (taskCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 64))
  throw new Error(`--tasks must be whole numbers from 1 to 64, comma-separated, got ${values.tasks}`);

const root = fileURLToPath(new URL('../', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Run {
  total: number;
  phases: Record<string, number>;
  busy: number;
  transitions: number;
  invocations: number;
  detection: { stepship: number; cli: number; sdk: number };
  observerPollMs: number;
}

function variant(work: string, n: number): string {
  const dir = join(work, `service-${n}`);
  cpSync(join(root, 'service'), dir, {
    recursive: true,
    filter: (src) => !src.includes('node_modules') && !src.includes('/dist'),
  });
  const page = join(dir, 'public', 'index.html');
  writeFileSync(page, readFileSync(page, 'utf8').replace('</main>', `<p>bench ${n}</p></main>`));
  return dir;
}

async function historyOf(env: Running, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: env.clients.sfn }, { executionArn }))
    events.push(...(page.events ?? []));
  return events;
}

/** When the execution first entered `state`. */
const enteredAt = (history: HistoryEvent[], state: string) =>
  history.find((e) => e.stateEnteredEventDetails?.name === state)?.timestamp?.getTime();

/** The CodeBuild build's own start and end, as the `.sync` task returned it. */
function buildInterval(history: HistoryEvent[]): [number, number] | undefined {
  const done = history.find((e) => e.taskSucceededEventDetails?.resourceType === 'codebuild');
  const build = JSON.parse(done?.taskSucceededEventDetails?.output ?? '{}') as {
    Build?: { StartTime?: string; EndTime?: string };
  };
  const [start, end] = [Date.parse(build.Build?.StartTime ?? ''), Date.parse(build.Build?.EndTime ?? '')];
  return Number.isFinite(start) && Number.isFinite(end) ? [start, end] : undefined;
}

/**
 * What the local cloud itself spent time on within [from, to]: its tasks
 * (starting, health checks, draining, stopping) and the CodeBuild build —
 * work a cloud does, not orchestration.
 */
function busyTime(activity: ActivityLog, from: number, to: number, build?: [number, number]): number {
  if (!build) return activity.busyWithin(from, to);
  const [start, end] = [Math.max(from, build[0]), Math.min(to, build[1])];
  return activity.busyWithin(from, start) + Math.max(0, end - start) + activity.busyWithin(end, to);
}

const doneAt = (what: string, r: WaiterResult): number => {
  if ('error' in r) throw new Error(`${what} did not return: ${r.error}`);
  return r.doneAt;
};

async function measure(env: Running, work: string, n: number): Promise<Run> {
  const { cloud, clients } = env;
  const cluster = env.names.cluster;
  const service = env.target.service;
  const before =
    (await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0]
      ?.taskDefinition ?? '';
  const target = {
    endpointUrl: cloud.endpointUrl,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
    cluster,
    service,
  };
  let waiters: Promise<[WaiterResult, WaiterResult]> | undefined;
  const observer = new RolloutObserver(clients.ecs, cluster, service, before, () => {
    waiters = Promise.all([cliWaiter(target), sdkWaiter(clients.ecs, target)]);
  });
  const invocationsBefore = cloud.lambda.invocations;
  const started = Date.now();
  const execution = await startFromSource(clients, env.target, variant(work, n), 'bench');
  const outcome = await follow(clients, execution.executionArn);
  const ended = Date.now();
  // A succeeded execution saw the rollout complete, so the observer sees it within a poll or two.
  await Promise.race([observer.done(), sleep(5000)]);
  const rollout = await observer.stop();
  if (outcome.status !== 'SUCCEEDED') throw new Error(`deployment ${n} ${outcome.status}: ${outcome.cause}`);
  if (!rollout?.completedAt || !waiters)
    throw new Error(`deployment ${n}: the observer saw no completed rollout`);
  const history = await historyOf(env, execution.executionArn);
  const next = enteredAt(history, STATE.verifyTargets);
  if (next === undefined) throw new Error(`deployment ${n}: no ${STATE.verifyTargets} in the history`);
  const [cli, sdk] = await waiters;
  const item = (
    await cloud.dynamodb.send(
      new GetItemCommand({
        TableName: `stepship-${env.app.name}-deployments`,
        Key: { pk: { S: `DEPLOYMENT#${outcome.deploymentId}` }, sk: { S: 'RECORD' } },
      }),
    )
  ).Item;
  const record = item ? (unmarshall(item) as { timings: Record<string, number> }) : { timings: {} };
  return {
    total: outcome.totalMs,
    phases: record.timings,
    busy: busyTime(cloud.activity, started, ended, buildInterval(history)),
    transitions: cloud.sfn.findExecution(execution.executionArn)?.transitions ?? 0,
    // Counted once the waiters are back, so events delivered after the execution ended count too.
    invocations: cloud.lambda.invocations - invocationsBefore,
    detection: {
      stepship: next - rollout.completedAt,
      cli: doneAt('the AWS CLI waiter', cli) - rollout.completedAt,
      sdk: doneAt('the SDK waiter', sdk) - rollout.completedAt,
    },
    observerPollMs: observer.pollInterval,
  };
}

async function benchmark(tasks: number): Promise<Run[]> {
  const work = mkdtempSync(join(tmpdir(), 'stepship-bench-'));
  log(`${tasks} tasks: starting the local cloud and the first deployment (not measured)…`);
  const app = loadManifest(join(root, 'service'));
  const env = await startLocal({
    app: { ...app, services: app.services.map((s) => ({ ...s, desiredCount: tasks })) },
    assemblyDir: join(work, 'cdk.out'),
    stateDir: join(work, 'state'),
    endpointPort: 0,
    loadBalancerPort: 0,
    reset: false,
    out: () => undefined,
  });
  try {
    if (env.outcome.status !== 'SUCCEEDED')
      throw new Error(`The first deployment ${env.outcome.status}: ${env.outcome.cause}`);
    const rows: Run[] = [];
    for (let n = 1; n <= runs; n++) {
      const run = await measure(env, work, n);
      rows.push(run);
      log(
        `  run ${n}: total ${seconds(run.total)}, detection ${seconds(run.detection.stepship)} (CLI ${seconds(run.detection.cli)}, SDK ${seconds(run.detection.sdk)}), busy ${seconds(run.busy)}, ${run.transitions} transitions, ${run.invocations} invocations`,
      );
    }
    return rows;
  } finally {
    await env.cloud.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function table(tasks: number, rows: Run[]): string {
  const col = (f: (r: Run) => number) => rows.map(f);
  const transitions = median(col((r) => r.transitions));
  const invocations = median(col((r) => r.invocations));
  const lambdaSeconds = 30; // generous: the steps' own time is a few seconds per deployment
  const orchestrationCost =
    transitions * PRICES.stateTransition +
    invocations * PRICES.lambdaRequest +
    lambdaSeconds * LAMBDA_MEMORY_GB * PRICES.lambdaArmGbSecond;
  const detection = median(col((r) => r.detection.stepship));
  const factor = (xs: number[]) => (detection > 0 ? `${(median(xs) / detection).toFixed(1)}×` : '—');
  return [
    `stepship local deployment benchmark — ${tasks} tasks, ${rows.length} runs, ${new Date().toISOString().slice(0, 10)}, ${process.platform}/${process.arch}, ${cpus().length} CPUs (load average ${loadavg()[0]?.toFixed(1)} at the end), Node ${process.version}`,
    '',
    '| measure | median (min–max) |',
    '| --- | --- |',
    `| detection: rollout COMPLETED → ${STATE.verifyTargets} entered (stepship) | ${spread(col((r) => r.detection.stepship))} |`,
    `| detection: \`aws ecs wait services-stable\` (AWS CLI v2), same rollout | ${spread(col((r) => r.detection.cli))} (${factor(col((r) => r.detection.cli))} stepship's) |`,
    `| detection: \`waitUntilServicesStable\` (JS SDK v3), same rollout | ${spread(col((r) => r.detection.sdk))} (${factor(col((r) => r.detection.sdk))} stepship's) |`,
    ...['build', 'register', 'rollout', 'verify'].map(
      (p) => `| phase: ${p} | ${spread(col((r) => r.phases[p] ?? 0))} |`,
    ),
    `| total (execution start → end) | ${spread(col((r) => r.total))} |`,
    `| local cloud busy (build; tasks starting, health checks, draining, stopping) | ${spread(col((r) => r.busy))} |`,
    `| orchestration overhead (total − busy) | ${spread(col((r) => r.total - r.busy))} |`,
    `| state transitions per deployment | ${countSpread(col((r) => r.transitions))} |`,
    `| Lambda invocations per deployment | ${countSpread(col((r) => r.invocations))} |`,
    '',
    `COMPLETED was observed by polling DescribeServices every ≥ ${OBSERVER_INTERVAL_MS} ms (achieved: ${Math.round(median(col((r) => r.observerPollMs)))} ms median).`,
    `On AWS (us-east-1 list prices, 2026-11-23: $0.025 per 1,000 transitions, $0.20 per 1M Lambda requests, $0.0000133334 per GB-s on ARM, ${LAMBDA_MEMORY_GB * 1024} MB, ≤ ${lambdaSeconds} s of step time): $${orchestrationCost.toFixed(5)} per deployment for the orchestration,`,
    `plus the CodeBuild build when building from source (general1.medium, $${PRICES.codebuildLinuxMediumMinute}/min: about $0.02–0.05 for a 2–5 minute multi-arch build).`,
  ].join('\n');
}

const results: { tasks: number; rows: Run[] }[] = [];
for (const tasks of taskCounts) {
  const rows = await benchmark(tasks);
  results.push({ tasks, rows });
  console.log(`${table(tasks, rows)}\n`);
}
const [first, last] = [results[0], results.at(-1)];
if (first && last && first !== last) {
  const total = (r: typeof first) => median(r.rows.map((x) => x.total));
  console.log(
    `Total at ${last.tasks} tasks ÷ total at ${first.tasks} tasks: ${(total(last) / total(first)).toFixed(2)} (medians ${seconds(total(last))} / ${seconds(total(first))}).`,
  );
}

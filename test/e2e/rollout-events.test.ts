import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
} from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { type HistoryEvent, paginateGetExecutionHistory } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DeploymentOutcome, follow, startFromSource } from '../../cli/deploy.js';
import type { Running } from '../../cli/start.js';
import { ECS_EVENTS } from '../../functions/contract/ecs-events.js';
import { STATE } from '../../functions/contract/states.js';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import { demoApp, PROJECT_ROOT as ROOT, startTestDeployment } from '../helpers/local-deployment.js';

/**
 * Long enough that a rollout on the local cloud sends an event (a task
 * changing state, the deployment settling) well within it, so a wait that
 * times out here is one whose events were lost.
 */
const HEARTBEAT_SECONDS = 8;

const work = mkdtempSync(join(tmpdir(), 'stepship-rollout-events-'));
let env: Running;
let eventBridge: EventBridgeClient;
let firstDeploymentLastEvent: Running['cloud']['events']['delivered'][number] | undefined;

function serviceVariant(name: string): string {
  const dir = join(work, name);
  cpSync(join(ROOT, 'service'), dir, {
    recursive: true,
    filter: (src) => !src.includes('node_modules') && !src.includes('/dist'),
  });
  const page = join(dir, 'public', 'index.html');
  writeFileSync(page, readFileSync(page, 'utf8').replace('</main>', `<p id="release">${name}</p></main>`));
  return dir;
}

function brokenVariant(name: string): string {
  const dir = serviceVariant(name);
  rmSync(join(dir, 'public', 'index.html'));
  return dir;
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: env.clients.sfn }, { executionArn })) {
    events.push(...(page.events ?? []));
  }
  return events;
}

const entered = (events: HistoryEvent[]) =>
  events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));

/** How each wait on a token ended, in order: TaskSucceeded, TaskFailed or TaskTimedOut (with its error). */
const waitEndings = (events: HistoryEvent[]) =>
  events
    .filter(
      (e) =>
        (e.type === 'TaskSucceeded' || e.type === 'TaskFailed' || e.type === 'TaskTimedOut') &&
        (e.taskSucceededEventDetails ?? e.taskFailedEventDetails ?? e.taskTimedOutEventDetails)?.resource ===
          'invoke.waitForTaskToken',
    )
    .map((e) =>
      e.type === 'TaskSucceeded'
        ? e.type
        : `${e.type} ${(e.taskFailedEventDetails ?? e.taskTimedOutEventDetails)?.error}`,
    );

async function deploy(dir: string): Promise<DeploymentOutcome> {
  const started = await startFromSource(env.clients, env.target, dir, 'e2e-rollout-events');
  return follow(env.clients, started.executionArn);
}

/** The app's rules on ECS's events, which resume the rollout waits. */
async function ecsEventRules(): Promise<string[]> {
  const rules = (await eventBridge.send(new ListRulesCommand({}))).Rules ?? [];
  const names = rules
    .filter((r) => r.EventPattern?.includes(ECS_EVENTS.source))
    .flatMap((r) => (r.Name ? [r.Name] : []));
  expect(names).toHaveLength(2);
  return names;
}

beforeAll(async () => {
  // No grace period, so the broken service's tasks are replaced (and the circuit breaker trips) as soon as they fail.
  env = await startTestDeployment(work, {
    app: demoApp({ gracePeriodSeconds: 0 }),
    rolloutHeartbeatSeconds: HEARTBEAT_SECONDS,
  });
  // The last ECS deployment event of the start-up's deployment, taken before any test deploys again; that execution has ended.
  firstDeploymentLastEvent = env.cloud.events.delivered
    .filter((d) => d.event['detail-type'] === ECS_EVENTS.deploymentStateChange)
    .at(-1);
  eventBridge = new EventBridgeClient({
    endpoint: env.cloud.endpointUrl,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
}, 240_000);
afterAll(async () => {
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('rollout waits resumed by ECS events on the local cloud', () => {
  it('a rollout that completes resumes its wait by its event: no fallback check, no heartbeat timeout', async () => {
    expect(env.outcome.status).toBe('SUCCEEDED');
    const outcome = await deploy(serviceVariant('v2'));
    expect(outcome.status).toBe('SUCCEEDED');
    const events = await history(outcome.executionArn);
    expect(entered(events)).toEqual(expect.arrayContaining([STATE.awaitRollout, STATE.verifyTargets]));
    expect(entered(events)).not.toContain(STATE.checkRollout);
    expect(waitEndings(events)).toEqual(['TaskSucceeded']);
    // The COMPLETED event for the service was delivered to the function that resumed the wait.
    const completed = env.cloud.events.delivered.filter(
      (d) =>
        d.event['detail-type'] === ECS_EVENTS.deploymentStateChange &&
        (d.event.detail as { eventName?: string }).eventName === 'SERVICE_DEPLOYMENT_COMPLETED',
    );
    expect(completed.length).toBeGreaterThan(0);
    expect(completed.every((d) => d.status === 'delivered')).toBe(true);
  }, 120_000);

  it('a duplicated event changes nothing: the function takes it again without error and the execution stays as it ended', async () => {
    // The deployment made by the start-up (its execution has ended), and the last ECS event its wait heard.
    expect(env.outcome.status).toBe('SUCCEEDED');
    const again = firstDeploymentLastEvent;
    if (!again) throw new Error('no ECS deployment event delivered for the first deployment');
    expect(again.status).toBe('delivered');
    const before = await history(env.outcome.executionArn);
    for (let i = 0; i < 2; i++) {
      const answer = await env.clients.lambda.send(
        new InvokeCommand({ FunctionName: again.target, Payload: JSON.stringify(again.event) }),
      );
      expect(answer.FunctionError).toBeUndefined();
    }
    expect(await history(env.outcome.executionArn)).toHaveLength(before.length);
  }, 120_000);

  it('a rollout the circuit breaker fails fails the deployment with ECS’s reasons, and the rollback’s own wait resumes on its events', async () => {
    const outcome = await deploy(brokenVariant('broken'));
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RolloutFailedError' });
    expect(outcome.cause).toContain('circuit breaker');
    const events = await history(outcome.executionArn);
    expect(entered(events)).toEqual(
      expect.arrayContaining([STATE.awaitRollout, STATE.rollback, STATE.awaitRollbackRollout]),
    );
    expect(entered(events)).toContain(STATE.recordRolledBack);
    // The deployment's wait fails with the breaker's verdict; the rollback's wait (the last) succeeds.
    const endings = waitEndings(events);
    expect(endings).toContain('TaskFailed RolloutFailedError');
    expect(endings.at(-1)).toBe('TaskSucceeded');
  }, 180_000);

  it('a deployment superseded while it rolls out fails as superseded, not as completed', async () => {
    const started = await startFromSource(env.clients, env.target, serviceVariant('v4'), 'e2e-superseded');
    for (let i = 0; ; i++) {
      if (entered(await history(started.executionArn)).includes(STATE.awaitRollout)) break;
      if (i > 600) throw new Error('the deployment never reached its rollout wait');
      await sleep(100);
    }
    await env.clients.ecs.send(
      new UpdateServiceCommand({
        cluster: env.names.cluster,
        service: env.names.services[0],
        forceNewDeployment: true,
      }),
    );
    const outcome = await follow(env.clients, started.executionArn);
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RolloutFailedError' });
    expect(outcome.cause).toContain('superseded');
  }, 180_000);

  it('with the events lost, the heartbeat timeout falls back to a check by API and the deployment still succeeds', async () => {
    const rules = await ecsEventRules();
    for (const Name of rules) await eventBridge.send(new DisableRuleCommand({ Name }));
    try {
      const outcome = await deploy(serviceVariant('v5'));
      expect(outcome.status).toBe('SUCCEEDED');
      const events = await history(outcome.executionArn);
      expect(entered(events)).toContain(STATE.checkRollout);
      // The first wait hears nothing and times out; a later one may settle by its own first check.
      const endings = waitEndings(events);
      expect(endings[0]).toBe('TaskTimedOut States.HeartbeatTimeout');
      expect(endings.filter((e) => e.startsWith('TaskFailed'))).toEqual([]);
    } finally {
      for (const Name of rules) await eventBridge.send(new EnableRuleCommand({ Name }));
    }
  }, 180_000);
});

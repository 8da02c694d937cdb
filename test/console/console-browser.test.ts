import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeStateMachineCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startFromSource } from '../../cli/deploy.js';
import type { Running } from '../../cli/start.js';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import { graphOf, stateNodeId } from '../../local/console/model/asl-graph.js';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.js';
import { copyDemoService, demoApp, startTestDeployment } from '../helpers/local-deployment.js';

const skipReason = browserUnavailableReason();
const describeInBrowser = skipReason ? describe.skip : describe;
if (skipReason) console.warn(`Skipping the console's browser tests: ${skipReason}`);

const work = mkdtempSync(join(tmpdir(), 'stepship-console-'));
let env: Running;
let browser: Browser;

/** service/ without its page: the health check on / fails, the circuit breaker trips, the deployment is rolled back. */
function brokenService(): string {
  const dir = join(work, 'broken');
  copyDemoService(dir);
  rmSync(join(dir, 'public', 'index.html'));
  return dir;
}

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  (page as Page & { errors: string[] }).errors = errors;
  const response = await page.goto(new URL(path, env.cloud.consoleUrl).href);
  expect(response?.status()).toBe(200);
  return page;
}
/**
 * Waits until an expression is true in the page. Playwright's waitForFunction re-evaluates
 * a string predicate with eval() inside the page, which the console's CSP (rightly) forbids;
 * page.evaluate goes through the DevTools protocol and is not subject to the page's CSP.
 */
async function waitInPage(page: Page, expression: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const errorsOf = (page: Page) => (page as Page & { errors: string[] }).errors;
const executionPath = (arn: string) => `execution?arn=${encodeURIComponent(arn)}`;

async function historyLength(executionArn: string): Promise<number> {
  const out = await env.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return out.events?.length ?? 0;
}

/** The id of the graph's edge `from → to` of `kind`, as the console numbers them from the definition. */
async function edgeId(from: string, to: string, kind: string): Promise<string> {
  const machine = await env.clients.sfn.send(
    new DescribeStateMachineCommand({
      stateMachineArn: env.outcome.executionArn
        .replace(':execution:', ':stateMachine:')
        .replace(/:[^:]+$/, ''),
    }),
  );
  const edge = graphOf(machine.definition ?? '').edges.find(
    (e) => e.from === stateNodeId(from) && e.to === stateNodeId(to) && e.kind === kind,
  );
  if (!edge) throw new Error(`no ${kind} edge ${from} → ${to}`);
  return edge.id;
}

beforeAll(async () => {
  if (skipReason) return;
  // No grace period, so the broken service's tasks fail their health checks at once.
  env = await startTestDeployment(work, { app: demoApp({ gracePeriodSeconds: 0 }) });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

describeInBrowser(`the console in a real browser${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('shows the service with its tasks (status, private IP, revision), their target health and the last deployment', async () => {
    expect(env.outcome.status).toBe('SUCCEEDED');
    const page = await open('');
    expect(await page.title()).toBe('Services · stepship console');
    const service = page.locator('article.service', {
      has: page.getByRole('heading', { name: /Service web/ }),
    });
    const tasks = service.locator('table.tasks').first().locator('tbody tr');
    expect(await tasks.count()).toBe(2);
    const ips: string[] = [];
    for (const row of await tasks.all()) {
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toContain('RUNNING');
      expect(cells[2]).toMatch(/^127\.\d+\.\d+\.\d+$/);
      expect(cells[3]).toMatch(/^web-web:\d+$/);
      ips.push(cells[2] ?? '');
    }
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: env.cloud.endpointUrl,
      region: env.cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
    const [group] = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group?.TargetGroupArn }));
    elb.destroy();
    const healthy = (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? '');
    expect(ips.sort()).toEqual(healthy.sort());
    const targets = await service.locator('table.targets tbody tr').allTextContents();
    expect(targets).toHaveLength(2);
    for (const target of targets) expect(target).toContain('healthy');
    const last = service.locator('dd', { has: page.getByRole('link', { name: env.outcome.deploymentId }) });
    expect(await last.textContent()).toContain('SUCCEEDED');
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('lists the deployment with its status, trigger, requester, image and durations', async () => {
    const page = await open('deployments');
    const row = page.locator(`tr[data-deployment="${env.outcome.deploymentId}"]`);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['web', '✓ SUCCEEDED', 'cli', 'stepship-cli']);
    expect(cells[4]).toMatch(/sha256:[0-9a-f]{12}/);
    expect(cells[6]).toMatch(/^\d+\.\d s$/);
    expect(cells[7]).toMatch(/^build [\d.]+ m?s register [\d.]+ m?s rollout [\d.]+ m?s verify [\d.]+ m?s $/);
    expect(cells[8]).toBe('—');
    await page.close();
  });

  it('shows the execution: the path taken on the graph, the timeline, and the history with input and output', async () => {
    const page = await open('deployments');
    await page.getByRole('link', { name: env.outcome.deploymentId }).first().click();
    await page.waitForURL(/\/execution\?arn=/);
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('SUCCEEDED');

    const node = (state: string) => page.locator(`[data-node="${stateNodeId(state)}"]`);
    for (const state of ['Prepare', 'Build', 'CheckRollout', 'VerifyChecks', 'Finalize', 'Deployed']) {
      expect(await node(state).getAttribute('class')).toContain('status-succeeded');
      expect(await node(state).getAttribute('aria-label')).toMatch(
        new RegExp(
          `^${state}: ${state === 'Deployed' ? 'Succeed' : 'Task'} state, succeeded(, \\d+ visits)?$`,
        ),
      );
    }
    for (const state of ['SkipBuild', 'Rollback', 'RecordFailed', 'DeploymentFailed'])
      expect(await node(state).getAttribute('class')).toContain('status-not-visited');
    expect(
      await page.locator(`#edge-${await edgeId('NeedsBuild?', 'Build', 'choice')}`).getAttribute('class'),
    ).toContain('taken');
    expect(
      await page
        .locator(`#edge-${await edgeId('NeedsBuild?', 'SkipBuild', 'default')}`)
        .getAttribute('class'),
    ).not.toContain('taken');
    // Each transition the execution made is one taken edge, however often it was made (the rollout
    // wait's heartbeat fallback loops back to it), plus the edges into the first state and out of the last.
    const visited = env.outcome.steps.map((s) => s.step.replace(/ \(.*\)$/, ''));
    const transitions = new Set(visited.slice(1).map((to, i) => `${visited[i]} → ${to}`));
    expect(await page.locator('path.edge.taken').count()).toBe(transitions.size + 2);

    const timeline = page.locator('table.timeline tbody tr');
    expect(await timeline.count()).toBe(env.outcome.steps.length);
    expect(await timeline.first().locator('th').textContent()).toBe('Prepare');
    expect(await timeline.first().locator('td').nth(2).textContent()).toMatch(/^\+\d+ ms$/);

    const events = page.locator('#history-list > li');
    expect(await events.count()).toBe(await historyLength(env.outcome.executionArn));
    const entered = page.locator('#event-2');
    expect(await entered.locator('.event-body').isVisible()).toBe(false);
    await entered.locator('summary').click();
    expect(await entered.locator('.event-body').isVisible()).toBe(true);
    expect(await entered.locator('summary').textContent()).toContain('TaskStateEntered Prepare');
    expect(await entered.locator('pre.json').textContent()).toContain('"requester": "stepship-cli"');
    const exited = page.locator('details.event', { hasText: 'TaskStateExited Prepare' });
    await exited.locator('summary').click();
    expect(await exited.locator('h4').allTextContents()).toEqual(['output']);
    expect(await exited.locator('pre.json').textContent()).toContain('"deploymentId"');
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it("links each step to its function's logs", async () => {
    const page = await open(executionPath(env.outcome.executionArn));
    await page.getByRole('link', { name: 'function logs of Prepare, visit 1' }).click();
    await page.waitForURL(/\/logs\?/);
    expect(await page.locator('h1').textContent()).toBe('Logs of Prepare (function)');
    expect(await page.locator('.log-message').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('"step":"prepare"')]),
    );
    await page.close();
  });

  it('is usable by keyboard: from a state on the graph to its step, its event and back', async () => {
    const page = await open(executionPath(env.outcome.executionArn));
    const focused = () =>
      page.evaluate(`(() => {
        const el = document.activeElement;
        return { tag: el?.tagName, id: el?.id, node: el?.getAttribute('data-node'), text: el?.textContent?.trim() };
      })()`) as Promise<{ tag?: string; id?: string; node?: string | null; text?: string }>;
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Skip to content');
    let tabs = 0;
    while ((await focused()).node !== stateNodeId('Prepare') && tabs++ < 20) await page.keyboard.press('Tab');
    expect((await focused()).node).toBe(stateNodeId('Prepare'));
    await page.keyboard.press('Enter');
    await waitInPage(page, `document.activeElement?.id === 'visit-0'`);
    expect(page.url()).toMatch(/#visit-0$/);

    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'A', text: 'Prepare' });
    await page.keyboard.press('Enter');
    await waitInPage(page, `document.activeElement?.tagName === 'SUMMARY'`);
    expect(await page.locator('#event-2').getAttribute('open')).toBe('');
    await page.keyboard.press('Space');
    expect(await page.locator('#event-2').getAttribute('open')).toBeNull();
    await page.keyboard.press('Enter');
    expect(await page.locator('#event-2').getAttribute('open')).toBe('');
    await page.close();
  });

  it('follows a running deployment as it goes, then shows why it failed and stops asking', async () => {
    const started = await startFromSource(env.clients, env.target, brokenService(), 'console-test');
    const list = await open('deployments');
    expect(await list.locator('main').getAttribute('data-poll-state')).toBe('polling');
    await list.evaluate('window.loadedOnce = true');
    const page = await open(executionPath(started.executionArn));
    let polls = 0;
    page.on('request', (request) => {
      if (request.url().includes('/execution.json?')) polls++;
    });
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('RUNNING');
    expect(await page.locator('main').getAttribute('data-poll-state')).toBe('polling');
    // A marker that a reload would lose: the page must update in place.
    await page.evaluate('window.loadedOnce = true');

    // The execution waits on ECS's events while ECS replaces the failing tasks: seen live, without a reload.
    await page.locator('[data-node="state:AwaitRollout"].status-current').waitFor({ timeout: 60_000 });
    expect(await page.locator('.node.status-current').count()).toBeLessThanOrEqual(1);
    const rowsWhileRunning = await page.locator('table.timeline tbody tr').count();

    await page.locator('main[data-poll-state="done"]').waitFor({ timeout: 150_000 });
    expect(await page.evaluate('window.loadedOnce')).toBe(true);
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('FAILED');
    expect(await page.locator('#live').textContent()).toBe('Execution FAILED');
    const failure = page.locator('#failure');
    expect(await failure.locator('.error-name').textContent()).toBe('RolloutFailedError');
    expect(await failure.locator('pre.cause').textContent()).toContain('circuit breaker');
    expect(await failure.textContent()).toContain('First failed step: AwaitRollout (RolloutFailedError).');

    expect(await page.locator('[data-node="state:AwaitRollout"]').getAttribute('class')).toContain(
      'status-failed',
    );
    expect(await page.locator('[data-node="state:DeploymentFailed"]').getAttribute('class')).toContain(
      'status-failed',
    );
    expect(await page.locator('[data-node="state:RecordRolledBack"]').getAttribute('class')).toContain(
      'status-succeeded',
    );
    expect(
      await page.locator(`#edge-${await edgeId('AwaitRollout', 'Rollback', 'catch')}`).getAttribute('class'),
    ).toContain('taken');
    expect(await page.locator('table.timeline tbody tr').count()).toBeGreaterThan(rowsWhileRunning);
    expect(await page.locator('#history-list > li').count()).toBe(await historyLength(started.executionArn));
    expect(await page.locator('#history-count').textContent()).toBe(
      `${await historyLength(started.executionArn)} events`,
    );

    const pollsWhenDone = polls;
    await page.waitForTimeout(2500);
    expect(polls).toBe(pollsWhenDone);
    expect(errorsOf(page)).toEqual([]);
    await page.close();

    // The deployments list, open since the start, caught up by itself too.
    await list.locator('main[data-poll-state="done"]').waitFor({ timeout: 10_000 });
    expect(await list.evaluate('window.loadedOnce')).toBe(true);
    const row = list.locator(`tr[data-deployment="${started.deploymentId}"]`);
    expect(await row.locator('td').nth(1).textContent()).toBe('✗ ROLLED_BACK');
    expect(await row.locator('.cause-cell').textContent()).toMatch(/^RolloutFailedError: .*circuit breaker/);
    await row.getByText('Full cause').click();
    expect(await row.locator('.cause-cell pre').textContent()).toContain('failed ELB health checks');
    await list.close();
  }, 240_000);
});

import { describe, expect, it } from '@jest/globals';
import { ActivityLog } from '../../local/runtime/activity.js';
import { forgetOldBuilds } from '../../local/services/codebuild/retention.js';
import { type BuildRecord, CodeBuildStore } from '../../local/services/codebuild/store.js';
import { forgetStoppedTasks, STOPPED_TASK_RETENTION_MS } from '../../local/services/ecs/retention.js';
import { EcsStore, type Task } from '../../local/services/ecs/store.js';
import { forgetOldExecutions } from '../../local/services/sfn/retention.js';
import { type Execution, type Machine, SfnStore } from '../../local/services/sfn/store.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const NOW = Date.parse('2026-11-30T12:00:00Z');

function task(id: string, lastStatus: Task['lastStatus'], stoppedMsAgo?: number): Task {
  return {
    scope,
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`,
    id,
    lastStatus,
    ...(stoppedMsAgo === undefined ? {} : { stoppedAt: new Date(NOW - stoppedMsAgo) }),
  } as Task;
}

describe('stopped tasks', () => {
  it('stay visible for an hour after they stop, then are forgotten with their tags', () => {
    const store = new EcsStore();
    const tasks = [
      task('running', 'RUNNING'),
      task('just-stopped', 'STOPPED', 60_000),
      task('stopped-59m', 'STOPPED', STOPPED_TASK_RETENTION_MS - 60_000),
      task('stopped-61m', 'STOPPED', STOPPED_TASK_RETENTION_MS + 60_000),
      task('stopped-1d', 'STOPPED', 24 * 3600_000),
    ];
    for (const t of tasks) {
      store.tasks.set(t.taskArn, t);
      store.tags.set(t.taskArn, [{ key: 'k', value: t.id }]);
    }
    forgetStoppedTasks(store, NOW);
    const left = [...store.tasks.values()].map((t) => t.id);
    expect(left).toEqual(['running', 'just-stopped', 'stopped-59m']);
    expect([...store.tags.keys()]).toEqual([...store.tasks.keys()]);
  });
});

describe('finished executions', () => {
  const machine = (name: string) =>
    ({ arn: `arn:aws:states:us-east-1:000000000000:stateMachine:${name}` }) as Machine;
  const execution = (m: Machine, name: string, status: Execution['status'], stoppedAt?: number) =>
    ({
      arn: `${m.arn.replace(':stateMachine:', ':execution:')}:${name}`,
      name,
      machine: m,
      status,
      ...(stoppedAt === undefined ? {} : { stopDate: new Date(stoppedAt) }),
    }) as Execution;

  it("keep a machine's newest finished ones and every running one; other machines' are untouched", () => {
    const store = new SfnStore();
    const deploy = machine('deploy');
    const other = machine('other');
    const all = [
      execution(deploy, 'old', 'SUCCEEDED', NOW - 3000),
      execution(deploy, 'running', 'RUNNING'),
      execution(deploy, 'middle', 'FAILED', NOW - 2000),
      execution(deploy, 'newest', 'SUCCEEDED', NOW - 1000),
      execution(other, 'other-old', 'SUCCEEDED', NOW - 9000),
      execution(other, 'other-new', 'ABORTED', NOW - 8000),
    ];
    for (const e of all) store.executions.set(e.arn, e);
    forgetOldExecutions(store, deploy.arn, 2);
    expect([...store.executions.values()].map((e) => e.name)).toEqual([
      'running',
      'middle',
      'newest',
      'other-old',
      'other-new',
    ]);
  });
});

describe('the activity log', () => {
  it('keeps its newest intervals up to its capacity', () => {
    const log = new ActivityLog(3);
    for (let i = 0; i < 10; i++) log.record('health-check', i * 10, i * 10 + 5);
    expect(log.busyWithin(0, 100)).toBe(15);
    expect(log.busyWithin(70, 100)).toBe(15);
    expect(log.busyWithin(0, 69)).toBe(0);
  });
});

describe('finished builds', () => {
  it("keep a project's newest finished ones and every running one", () => {
    const store = new CodeBuildStore();
    const build = (id: string, projectName: string, buildComplete: boolean) =>
      ({ scope, build: { id, projectName, buildComplete }, buildspec: '' }) as unknown as BuildRecord;
    for (const record of [
      build('web:1', 'web', true),
      build('web:2', 'web', false),
      build('api:1', 'api', true),
      build('web:3', 'web', true),
      build('web:4', 'web', true),
    ])
      store.builds.set(record.build.id, record);
    forgetOldBuilds(store, 'web', 2);
    expect([...store.builds.keys()]).toEqual(['web:2', 'api:1', 'web:3', 'web:4']);
  });
});

import {
  ClientException,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationError } from '../../functions/commons/errors.js';
import type { DeploymentRecord, RecordStore } from '../../functions/commons/records.js';
import { prepare } from '../../functions/prepare/prepare.js';
import { WEB_TARGET } from '../helpers/targets.js';

const ecsMock = mockClient(ECSClient);
const WORKER = { ...WEB_TARGET, service: 'worker', repositoryName: 'worker', verify: { checks: [] } };
const targets = { web: WEB_TARGET, worker: WORKER };
const execution = {
  Id: 'arn:aws:states:us-east-1:123456789012:execution:stepship-demo-deploy:api-worker-1',
  Name: 'api-worker-1',
  StartTime: '2026-11-23T10:00:00.000Z',
};

function memoryRecords() {
  const locks: string[] = [];
  const records: DeploymentRecord[] = [];
  const store = {
    acquireLock: async (service: string) => {
      locks.push(service);
    },
    updateRecordIf: async (_id: string, record: DeploymentRecord) => {
      if (ended) return false;
      records.push(record);
      return true;
    },
    releaseLock: async (service: string, owner: string) => {
      released.push({ service, owner });
      return true;
    },
  } as unknown as RecordStore;
  let ended = false;
  const released: { service: string; owner: string }[] = [];
  return {
    store,
    locks,
    records,
    released,
    /** The deployment's outcome was recorded meanwhile (record-outcome, after a StopExecution). */
    endMeanwhile: () => {
      ended = true;
    },
  };
}

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.map((serviceName) => ({
      serviceName,
      status: 'ACTIVE',
      taskDefinition: `${TD}/web:5`,
    })),
  }));
});

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition';
const DIGEST = `sha256:${'a'.repeat(64)}`;
/** A revision as DescribeTaskDefinition answers it. */
const revision = (ref: string, fields: Record<string, unknown> = {}) => ({
  taskDefinition: {
    taskDefinitionArn: ref.startsWith('arn:') ? ref : `${TD}/${ref}`,
    family: 'web',
    status: 'ACTIVE',
    containerDefinitions: [{ name: 'web', image: `${WEB_TARGET.repositoryUri}@${DIGEST}` }],
    ...fields,
  },
});

const run = (request: unknown, memory = memoryRecords()) =>
  prepare(
    { request, execution, targets },
    {
      ecs: new ECSClient({ region: 'us-east-1' }),
      records: memory.store,
      lockTtlSeconds: 60,
      now: () => new Date(0),
    },
  );

describe('prepare', () => {
  it("resolves the requested service's target, and locks and records that service", async () => {
    const memory = memoryRecords();
    const prepared = await run(
      { service: 'worker', trigger: 'api', requester: 'me', imageTag: 'v2' },
      memory,
    );
    expect(prepared).toMatchObject({
      deploymentId: 'api-worker-1',
      target: WORKER,
      needsBuild: false,
      imageTag: 'v2',
    });
    expect(memory.locks).toEqual(['worker']);
    expect(memory.records[0]).toMatchObject({ service: 'worker', status: 'STARTED' });
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toEqual({
      cluster: 'stepship-web',
      services: ['worker'],
    });
  });

  it('leaves a deployment that ended while it ran as it ended, and frees the lock it took', async () => {
    const memory = memoryRecords();
    memory.endMeanwhile();
    await expect(
      run({ service: 'worker', trigger: 'api', requester: 'me', imageTag: 'v2' }, memory),
    ).rejects.toThrow('Deployment api-worker-1 has already ended');
    expect(memory.records).toEqual([]);
    expect(memory.released).toEqual([{ service: 'worker', owner: execution.Id }]);
  });

  it('accepts a push that names its digest and, for the record, its tag; an API request may not', async () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    const push = {
      service: 'web',
      trigger: 'push',
      requester: 'ecr-push:123456789012',
      imageDigest: digest,
      imageTag: 'v2',
    };
    await expect(run(push)).resolves.toMatchObject({ imageDigest: digest, imageTag: 'v2' });
    await expect(run({ ...push, trigger: 'api' })).rejects.toThrow('Give imageTag or imageDigest, not both');
  });

  it('names the known services when the request names another, before locking anything', async () => {
    const memory = memoryRecords();
    const failure = run({ service: 'billing', trigger: 'api', requester: 'me', imageTag: 'v2' }, memory);
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toThrow('Unknown service "billing": this pipeline deploys "web", "worker"');
    expect(memory.locks).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['no request at all', undefined, 'The execution input must be {"request": {...}}'],
    ['a request that is not an object', 'web', 'The execution input\'s "request" must be a JSON object'],
    [
      'a malformed tag, with the same words as the API',
      { service: 'web', trigger: 'api', requester: 'me', imageTag: '-v2' },
      'imageTag must be an image tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -); got "-v2"',
    ],
    [
      'an unknown trigger',
      { service: 'web', trigger: 'cron', requester: 'me', imageTag: 'v2' },
      'trigger must be one of api, push, cli, event; got "cron"',
    ],
    ['no requester', { service: 'web', trigger: 'api', imageTag: 'v2' }, 'requester is required'],
    [
      'nothing to deploy',
      { service: 'web', trigger: 'api', requester: 'me' },
      'Give imageTag or imageDigest (or a source to build, or a taskDefinition revision to deploy as it is)',
    ],
    [
      'a revision with an image besides',
      { service: 'web', trigger: 'cli', requester: 'me', taskDefinition: 'web:3', imageTag: 'v2' },
      'Give taskDefinition alone: it deploys that revision as it is, image included',
    ],
    [
      'a family without its revision',
      { service: 'web', trigger: 'cli', requester: 'me', taskDefinition: 'web' },
      'taskDefinition must be a task definition revision of the service, family:revision or its ARN (e.g. web-web:3); got "web"',
    ],
  ])('checks the request again with the one schema: %s', async (_case, request, message) => {
    await expect(run(request)).rejects.toThrow(message);
  });

  it('resolves a named revision to deploy as it is: its digest, and what ran before it', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .callsFake((input: { taskDefinition: string }) => revision(input.taskDefinition));
    const memory = memoryRecords();
    const prepared = await run(
      { service: 'web', trigger: 'cli', requester: 'me', taskDefinition: 'web:3' },
      memory,
    );
    expect(prepared).toMatchObject({
      needsBuild: false,
      imageDigest: DIGEST,
      revision: { taskDefinitionArn: `${TD}/web:3`, previousTaskDefinitionArn: `${TD}/web:5` },
    });
    expect(memory.records[0]).toMatchObject({ status: 'STARTED', imageDigest: DIGEST });
  });

  it.each<[string, Record<string, unknown> | 'missing', string]>([
    [
      'a revision ECS does not know',
      'missing',
      'Task definition web:3 not found: Unable to describe task definition.',
    ],
    [
      'a revision of another family',
      { family: 'worker' },
      `${TD}/web:3 is a revision of worker, not of web's task definition family web`,
    ],
    ['a deregistered revision', { status: 'INACTIVE' }, 'is deregistered (INACTIVE)'],
    [
      "the stack's bootstrap revision (a public image)",
      { containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/docker/library/node:24-alpine' }] },
      'runs public.ecr.aws/docker/library/node:24-alpine, not an image of 123456789012.dkr.ecr.us-east-1.amazonaws.com/web pinned by digest',
    ],
  ])('refuses %s before locking anything', async (_case, fields, message) => {
    if (fields === 'missing')
      ecsMock
        .on(DescribeTaskDefinitionCommand)
        .rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }));
    else ecsMock.on(DescribeTaskDefinitionCommand).resolves(revision('web:3', fields) as never);
    const memory = memoryRecords();
    const failure = run({ service: 'web', trigger: 'cli', requester: 'me', taskDefinition: 'web:3' }, memory);
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toThrow(message);
    expect(memory.locks).toEqual([]);
  });
});

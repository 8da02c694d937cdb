import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { follow, type PipelineEntry, startFromSource } from '../../cli/deploy.js';
import { quietly } from '../../cli/quietly.js';
import { stackNames } from '../../orchestration/app.js';
import { synthesize } from '../../orchestration/synthesize.js';
import { type CloudChild, startCloudChild } from '../helpers/cloud-child.js';
import { eventually } from '../helpers/eventually.js';
import { demoApp, PROJECT_ROOT } from '../helpers/local-deployment.js';
import { kill9 } from './cloud-processes.js';

/**
 * A local cloud killed with SIGKILL in the middle of a deployment, then
 * started again on the same state directory and provisioned from the same
 * templates: the image pushed before is still there and deploys, the
 * deployment records are there, and the interrupted deployment is FAILED
 * with its lock released.
 */
const work = mkdtempSync(join(tmpdir(), 'stepship-state-'));
const stateDir = join(work, 'state');
const assembly = join(work, 'cdk.out');
const app = demoApp();
const stacks = stackNames(app.name);
const children: CloudChild[] = [];

function clientsOf(cloud: CloudChild) {
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: cloud.credentials };
  return {
    ecs: new ECSClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sfn: new SFNClient(config),
    ecr: new ECRClient(config),
    dynamodb: new DynamoDBClient(config),
    ssm: new SSMClient(config),
  };
}
type Clients = ReturnType<typeof clientsOf>;

async function provisioned(): Promise<{
  cloud: CloudChild;
  clients: Clients;
  entry: PipelineEntry;
  table: string;
}> {
  const cloud = await startCloudChild({ stateDir, provision: assembly }, 120_000);
  children.push(cloud);
  const clients = clientsOf(cloud);
  const output = (name: string) => cloud.outputs[`${stacks.pipeline}.${name}`] ?? '';
  await waitUntilServicesStable(
    { client: clients.ecs, maxWaitTime: 120, minDelay: 0.25, maxDelay: 1 },
    { cluster: cloud.outputs[`${stacks.app}.ClusterName`], services: ['web'] },
  );
  return {
    cloud,
    clients,
    entry: {
      service: 'web',
      sourceBucket: output('SourceBucketName'),
      startFunction: output('StartDeploymentFunctionName'),
    },
    table: output('RecordsTableName'),
  };
}

async function item(clients: Clients, table: string, pk: string, sk: string) {
  const out = await clients.dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }),
  );
  return out.Item;
}

let before: { deploymentId: string; imageTag: string; imageDigest: string; repository: string };
let interrupted: string;
let after: Awaited<ReturnType<typeof provisioned>>;

beforeAll(async () => {
  quietly(() => synthesize({ outdir: assembly, app, rolloutHeartbeatSeconds: 1 }));
  const first = await provisioned();
  await first.clients.ssm.send(
    new PutParameterCommand({ Name: '/web/greeting', Value: 'kept', Type: 'String' }),
  );
  const started = await startFromSource(
    first.clients,
    first.entry,
    join(PROJECT_ROOT, 'service'),
    'state-test',
  );
  const outcome = await follow(first.clients, started.executionArn);
  expect(outcome.status).toBe('SUCCEEDED');
  const record = await item(first.clients, first.table, `DEPLOYMENT#${started.deploymentId}`, 'RECORD');
  before = {
    deploymentId: started.deploymentId,
    imageTag: record?.imageTag?.S ?? '',
    imageDigest: record?.imageDigest?.S ?? '',
    // <account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]
    repository: (record?.imageUri?.S ?? '').replace(/^[^/]+\//, '').replace(/[:@].*$/, ''),
  };

  // A second deployment, killed once it holds the service's lock.
  const second = await startFromSource(
    first.clients,
    first.entry,
    join(PROJECT_ROOT, 'service'),
    'state-test',
  );
  interrupted = second.deploymentId;
  await eventually('the second deployment holding the lock', async () => {
    const lock = await item(first.clients, first.table, 'LOCK#web', 'LOCK');
    return lock?.owner?.S === second.executionArn ? true : undefined;
  });
  const execution = await first.clients.sfn.send(
    new DescribeExecutionCommand({ executionArn: second.executionArn }),
  );
  expect(execution.status).toBe('RUNNING');
  for (const client of Object.values(first.clients)) client.destroy();
  await kill9(first.cloud.pid, first.cloud.process.exited);

  after = await provisioned();
}, 600_000);

afterAll(async () => {
  for (const client of Object.values(after?.clients ?? {})) client.destroy();
  for (const child of children) if (child.alive()) await child.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('after a SIGKILL mid-deployment, the same state directory started and provisioned again', () => {
  it('keeps its state and provisions again by adopting what it kept', () => {
    expect(after.cloud.durableState).toBe(true);
    expect(after.cloud.recovered.failed).toEqual([`${after.table}/${interrupted}`]);
    expect(after.cloud.recovered.released).toEqual([`${after.table}/web`]);
  });

  it('has the deployment records: the finished one as it was, the interrupted one FAILED', async () => {
    const finished = await item(after.clients, after.table, `DEPLOYMENT#${before.deploymentId}`, 'RECORD');
    expect(finished?.status?.S).toBe('SUCCEEDED');
    const cut = await item(after.clients, after.table, `DEPLOYMENT#${interrupted}`, 'RECORD');
    expect(cut?.status?.S).toBe('FAILED');
    expect(cut?.error?.S).toBe('LocalCloudInterrupted');
    expect(cut?.finishedAt?.S).toEqual(expect.any(String));
  });

  it('has released the interrupted deployment’s lock', async () => {
    expect(await item(after.clients, after.table, 'LOCK#web', 'LOCK')).toBeUndefined();
  });

  it('has the image pushed before, and its parameters', async () => {
    const images = await after.clients.ecr.send(
      new DescribeImagesCommand({
        repositoryName: before.repository,
        imageIds: [{ imageTag: before.imageTag }],
      }),
    );
    expect(images.imageDetails?.[0]?.imageDigest).toBe(before.imageDigest);
    const parameter = await after.clients.ssm.send(new GetParameterCommand({ Name: '/web/greeting' }));
    expect(parameter.Parameter?.Value).toBe('kept');
  });

  it('deploys the image pushed before, without building it again', async () => {
    const out = await after.clients.lambda.send(
      new InvokeCommand({
        FunctionName: after.entry.startFunction,
        Payload: Buffer.from(
          JSON.stringify({ service: 'web', imageTag: before.imageTag, requester: 'state-test' }),
        ),
      }),
    );
    const answer = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as { body?: string };
    const { executionArn } = JSON.parse(answer.body ?? '{}') as { executionArn: string };
    const outcome = await follow(after.clients, executionArn);
    expect({ status: outcome.status, error: outcome.error, cause: outcome.cause }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
      cause: undefined,
    });
    expect(outcome.steps.map((s) => s.step)).not.toContain('Build');
  }, 300_000);
});

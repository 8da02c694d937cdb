import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { follow, type PipelineEntry, startFromSource } from '../../cli/deploy.js';
import { type LocalClients, localClients } from '../../cli/local-clients.js';
import { LocalCloud } from '../../local/cloud.js';
import { arns } from '../../local/core/arns.js';
import { synthesize } from '../../orchestration/synthesize.js';
import { demoApp, PROJECT_ROOT } from '../helpers/local-deployment.js';

/**
 * A deployment through the local cloud with one permission missing from one
 * role: the failure a deploy to AWS would have, found locally. The template
 * is synthesized as `npm start` does, then edited before provisioning.
 */
const work = mkdtempSync(join(tmpdir(), 'stepship-iam-e2e-'));
const assembly = join(work, 'cdk.out');
let cloud: LocalCloud;
let clients: LocalClients;
let target: PipelineEntry;
let outputs: Record<string, string>;
/** Role logical id → the role's name, as provisioned. */
const roleNames = new Map<string, string>();

interface PolicyResource {
  Type: string;
  Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] }; Roles: { Ref: string }[] };
}

/** Takes `action` out of the default policy of the role whose logical id starts with `rolePrefix`; returns the role's logical id. */
function removeAction(templateFile: string, rolePrefix: string, action: string): string {
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as {
    Resources: Record<string, PolicyResource>;
  };
  const [, policy] =
    Object.entries(template.Resources).find(
      ([, r]) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles[0]?.Ref.startsWith(rolePrefix),
    ) ?? [];
  if (!policy) throw new Error(`no policy of a role ${rolePrefix}* in ${templateFile}`);
  let removed = false;
  for (const statement of policy.Properties.PolicyDocument.Statement) {
    const actions = [statement.Action].flat();
    if (actions.includes(action)) {
      statement.Action = actions.filter((a) => a !== action);
      removed = true;
    }
  }
  if (!removed) throw new Error(`${action} is not in the policy of ${rolePrefix}*`);
  policy.Properties.PolicyDocument.Statement = policy.Properties.PolicyDocument.Statement.filter(
    (s) => [s.Action].flat().length > 0,
  );
  writeFileSync(templateFile, JSON.stringify(template));
  return policy.Properties.Roles[0]?.Ref ?? '';
}

async function waitForSteadyState(cluster: string, service: string): Promise<void> {
  for (let i = 0; i < 480; i++) {
    const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    if (out.services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState === 'COMPLETED')
      return;
    await sleep(250);
  }
  throw new Error(`${service} did not reach its desired count`);
}

async function record(deploymentId: string) {
  const out = await cloud.dynamodb.send(
    new GetItemCommand({
      TableName: 'stepship-web-deployments',
      Key: { pk: { S: `DEPLOYMENT#${deploymentId}` }, sk: { S: 'RECORD' } },
    }),
  );
  return out.Item ? unmarshall(out.Item) : undefined;
}

async function deploy() {
  const started = await startFromSource(clients, target, join(PROJECT_ROOT, 'service'), 'iam-test');
  return follow(clients, started.executionArn);
}

let updateRole = '';

beforeAll(async () => {
  cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir: join(work, 'state') });
  const app = synthesize({
    outdir: assembly,
    app: demoApp({ gracePeriodSeconds: 0 }),
    rolloutHeartbeatSeconds: 1,
  });
  updateRole = removeAction(
    join(assembly, `${app.pipeline.stackName}.template.json`),
    'StepsUpdateServiceRole',
    'ecs:UpdateService',
  );
  const provisioned = await cloud.provision(assembly);
  outputs = provisioned.outputs;
  for (const r of provisioned.resources)
    if (r.type === 'AWS::IAM::Role') roleNames.set(r.logicalId, r.physicalId);
  const output = (stack: string, name: string) => outputs[`${stack}.${name}`] ?? '';
  clients = localClients(cloud.endpointUrl, cloud.region);
  target = {
    service: output(app.appStack.stackName, 'WebServiceName'),
    sourceBucket: output(app.pipeline.stackName, 'SourceBucketName'),
    startFunction: output(app.pipeline.stackName, 'StartDeploymentFunctionName'),
  };
  await waitForSteadyState(output(app.appStack.stackName, 'ClusterName'), target.service);
}, 180_000);
afterAll(async () => {
  await cloud?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a deployment with a permission missing from a role’s policy', () => {
  it('fails at the step whose role lacks it, naming the action, the role session and the service', async () => {
    const outcome = await deploy();
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('AccessDeniedException');
    expect(outcome.cause).toMatch(
      new RegExp(
        `User: arn:aws:sts::000000000000:assumed-role/${roleNames.get(updateRole)}/[\\w-]+ is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:us-east-1:000000000000:service/stepship-web/web because no identity-based policy allows the ecs:UpdateService action`,
      ),
    );
    expect(outcome.steps.map((s) => s.step)).toContain('UpdateService (AccessDeniedException)');
    expect(await record(outcome.deploymentId)).toMatchObject({
      status: 'FAILED',
      error: 'AccessDeniedException',
    });
  }, 240_000);

  it('deploys once the permission is granted again, and a task whose role lacks dynamodb:ListTables fails verification', async () => {
    cloud.iam.putRolePolicy(cloud.scope, roleNames.get(updateRole) ?? '', 'granted-again', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*' }],
    });
    const taskRoleId = [...roleNames.keys()].find((id) => id.startsWith('WebTaskRole')) ?? '';
    const taskRole = cloud.iam.findRole(arns.iamRole(cloud.scope, roleNames.get(taskRoleId) ?? ''));
    if (!taskRole) throw new Error('no task role');
    // The task role's only policy, with ListTables taken out.
    for (const name of taskRole.inline.keys())
      cloud.iam.putRolePolicy(cloud.scope, taskRole.name, name, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'dynamodb:DescribeTable', Resource: '*' }],
      });
    const outcome = await deploy();
    expect(outcome.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['UpdateService', 'AwaitRollout']),
    );
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('VerificationError');
    expect(outcome.cause).toMatch(/GET \S+\/db answered 500/);
    expect(outcome.cause).toMatch(
      new RegExp(
        `assumed-role/${taskRole.name}/[0-9a-f]{32} is not authorized to perform: dynamodb:ListTables on resource: \\*`,
      ),
    );
    expect(await record(outcome.deploymentId)).toMatchObject({ status: 'ROLLED_BACK' });
  }, 240_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalCloud } from '../../local/cloud.js';
import { AWS_CLI, awsCli, awsCliUnavailableReason } from '../helpers/aws-cli.js';

const run = promisify(execFile);
const reason = awsCliUnavailableReason();
if (reason) console.warn(`Skipping AWS CLI tests: ${reason}`);
const describeWithCli = reason ? describe.skip : describe;

describeWithCli(`the local cloud through the AWS CLI v2${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await LocalCloud.start({
      endpointPort: 0,
      loadBalancerPort: 0,
      stateDir: mkdtempSync(join(tmpdir(), 'stepship-cli-')),
    });
  });
  afterAll(() => cloud.stop());

  const aws = (...args: string[]) => awsCli(cloud.endpointUrl)(...args) as Promise<Record<string, unknown>>;

  it('is a version 2 client', async () => {
    const { stdout } = await run(AWS_CLI, ['--version']);
    expect(stdout).toMatch(/^aws-cli\/2\./);
  });

  it('creates and describes ECS clusters and ECR repositories', async () => {
    await aws('ecs', 'create-cluster', '--cluster-name', 'from-cli');
    expect(await aws('ecs', 'describe-clusters', '--clusters', 'from-cli')).toMatchObject({
      clusters: [{ clusterName: 'from-cli', status: 'ACTIVE' }],
    });
    await aws('ecr', 'create-repository', '--repository-name', 'cli-repo');
    expect(await aws('ecr', 'describe-repositories')).toMatchObject({
      repositories: [{ repositoryName: 'cli-repo' }],
    });
  });

  it('lists DynamoDB tables, load balancers and state machines', async () => {
    await aws(
      'dynamodb',
      'create-table',
      '--table-name',
      'cli-table',
      '--billing-mode',
      'PAY_PER_REQUEST',
      '--attribute-definitions',
      'AttributeName=pk,AttributeType=S',
      '--key-schema',
      'AttributeName=pk,KeyType=HASH',
    );
    expect(await aws('dynamodb', 'list-tables')).toEqual({ TableNames: ['cli-table'] });
    await cloud.elbv2.createLoadBalancer(cloud.scope, { Name: 'cli-lb' });
    expect(await aws('elbv2', 'describe-load-balancers')).toMatchObject({
      LoadBalancers: [{ LoadBalancerName: 'cli-lb', Type: 'application' }],
    });
    expect(await aws('stepfunctions', 'list-state-machines')).toEqual({ stateMachines: [] });
  });

  it('reports a missing resource with the service error code', async () => {
    await expect(aws('ecs', 'describe-services', '--cluster', 'nope', '--services', 'web')).rejects.toThrow(
      /ClusterNotFoundException/,
    );
  });
});

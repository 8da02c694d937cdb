import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { buildServiceApp } from '../../local/images/local-builder.js';
import { eventually } from '../helpers/eventually.js';

/** The exercise's app as written for Fargate: Express 4, the SDK v2 with a hard-coded region, no endpoint. */
const FIXTURE = new URL('../fixtures/sdk-v2-app/', import.meta.url).pathname;

let cloud: LocalCloud;
let ecs: ECSClient;
let buildLog: string[];

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-sdk-v2-')),
  });
  ecs = new ECSClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
  await cloud.dynamodb.send(
    new CreateTableCommand({
      TableName: 'sdk-v2-table',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

  // The source as CodeBuild gets it: no node_modules; npm ci installs from the registry.
  const source = mkdtempSync(join(tmpdir(), 'stepship-sdk-v2-src-'));
  cpSync(FIXTURE, source, { recursive: true, filter: (path) => !path.includes('node_modules') });
  buildLog = [];
  // The default dependency cache outlives the run: the registry is asked once per lockfile.
  const built = await buildServiceApp(source, { log: (l) => buildLog.push(l) });
  const manifest = cloud.images.createImage(built.files, {
    entrypoint: built.entrypoint,
    env: built.env,
    exposedPorts: built.exposedPorts,
  });
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'sdk-v2-app' });
  const digest = cloud.ecr.putImage(cloud.scope, 'sdk-v2-app', {
    imageManifest: manifest,
    imageTag: 'v1',
  }).digest;

  const group = cloud.elbv2.createTargetGroup(cloud.scope, {
    Name: 'sdk-v2-app',
    Port: 3000,
    TargetType: 'ip',
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 1,
    HealthyThresholdCount: 2,
    DeregistrationDelaySeconds: 1,
  }).group;
  const lb = await cloud.elbv2.createLoadBalancer(cloud.scope, { Name: 'sdk-v2-app' });
  cloud.elbv2.createListener(cloud.scope, {
    LoadBalancerArn: lb.arn,
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }],
  });
  await ecs.send(new CreateClusterCommand({ clusterName: 'sdk-v2' }));
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'sdk-v2-app',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: `${cloud.ecr.registryHost(cloud.scope)}/sdk-v2-app@${digest}`,
          portMappings: [{ containerPort: 3000 }],
          stopTimeout: 2,
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'sdk-v2',
      serviceName: 'sdk-v2-app',
      taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
      launchType: 'FARGATE',
      loadBalancers: [{ targetGroupArn: group.arn, containerName: 'app', containerPort: 3000 }],
    }),
  );
  await eventually(
    'both tasks healthy behind the load balancer',
    async () => {
      const out = await ecs.send(
        new DescribeServicesCommand({ cluster: 'sdk-v2', services: ['sdk-v2-app'] }),
      );
      const primary = out.services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY');
      return primary?.rolloutState === 'COMPLETED' ? primary : undefined;
    },
    90_000,
  );
}, 300_000);

afterAll(async () => {
  ecs?.destroy();
  await cloud?.stop();
});

describe('an Express 4 + AWS SDK v2 app written for Fargate, unchanged', () => {
  it('is built by the embedded builder: npm ci from the lockfile, then bundled', () => {
    expect(buildLog.join('\n')).toMatch(/npm ci|Reusing the dependencies installed for this lockfile/);
    expect(buildLog.join('\n')).toContain('Bundled index.js');
  });

  it('lists the local cloud’s tables at /db through the load balancer, its SDK aimed at AWS’s own endpoint', async () => {
    const res = await fetch(`${cloud.loadBalancerUrl}/db`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      db: 'connected',
      tables: expect.arrayContaining(['sdk-v2-table']),
      endpoint: 'https://dynamodb.ap-northeast-2.amazonaws.com/',
    });
  });

  it('runs two tasks that both listen on port 3000, each on its own address', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 10 && seen.size < 2; i++) {
      const status = (await (await fetch(`${cloud.loadBalancerUrl}/status`)).json()) as {
        taskIP: string;
        boundTo: string;
      };
      seen.set(status.taskIP, status.boundTo);
    }
    expect(seen.size).toBe(2);
    for (const [taskIp, boundTo] of seen) {
      expect(taskIp).toMatch(/^127\.0\.\d+\.\d+$/);
      expect(boundTo).toBe(taskIp);
    }
  });
});

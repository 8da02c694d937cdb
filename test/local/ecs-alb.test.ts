import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import type { TargetGroup } from '../../local/services/elbv2/target-group.js';
import { eventually } from '../helpers/eventually.js';
import { pushTestImage, serviceScript } from './test-images.js';

let cloud: LocalCloud;
let ecs: ECSClient;
let group: TargetGroup;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-ecs-')),
  });
  ecs = new ECSClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'svc' });
  // Short timings so the behaviour shows in seconds; the semantics are the template's.
  group = cloud.elbv2.createTargetGroup(cloud.scope, {
    Name: 'svc',
    Port: 3000,
    TargetType: 'ip',
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 1,
    HealthCheckTimeoutSeconds: 1,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 2,
    DeregistrationDelaySeconds: 2,
  }).group;
  const lb = await cloud.elbv2.createLoadBalancer(cloud.scope, { Name: 'svc' });
  cloud.elbv2.createListener(cloud.scope, {
    LoadBalancerArn: lb.arn,
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }],
  });
  await ecs.send(new CreateClusterCommand({ clusterName: 'test' }));
}, 30_000);
afterAll(async () => {
  ecs.destroy();
  await cloud.stop();
});

async function register(version: string, environment: Record<string, string> = {}): Promise<string> {
  const image = pushTestImage(cloud, 'svc', version, serviceScript(version));
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'svc',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'svc',
          image,
          portMappings: [{ containerPort: 3000 }],
          stopTimeout: 2,
          environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

async function primary() {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'test', services: ['svc'] }));
  const service = out.services?.[0];
  return {
    service,
    primary: service?.deployments?.find((d) => d.status === 'PRIMARY'),
    deployments: service?.deployments ?? [],
  };
}

/** Steady load through the load balancer (loopback only), counting answers and failures. */
function steadyLoad() {
  const state = { requests: 0, failures: 0, versions: new Map<string, number>(), running: true };
  const loop = (async () => {
    while (state.running) {
      state.requests++;
      try {
        const res = await fetch(`${cloud.loadBalancerUrl}/status`, { signal: AbortSignal.timeout(5000) });
        const body = (await res.json()) as { version: string };
        if (res.status !== 200) state.failures++;
        state.versions.set(body.version, (state.versions.get(body.version) ?? 0) + 1);
      } catch {
        state.failures++;
      }
      await sleep(20);
    }
  })();
  return {
    state,
    stop: async () => {
      state.running = false;
      await loop;
      return state;
    },
  };
}

const completed = async () => {
  const p = await primary();
  return p.primary?.rolloutState === 'COMPLETED' && p.deployments.length === 1 ? p : undefined;
};

describe('ECS rolling deployments behind the load balancer', () => {
  it('brings a new service up at its desired count, each task healthy on its own loopback IP', async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'test',
        serviceName: 'svc',
        taskDefinition: await register('v1'),
        desiredCount: 2,
        launchType: 'FARGATE',
        healthCheckGracePeriodSeconds: 0,
        deploymentConfiguration: {
          minimumHealthyPercent: 100,
          maximumPercent: 200,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
        loadBalancers: [{ targetGroupArn: group.arn, containerName: 'svc', containerPort: 3000 }],
      }),
    );
    await eventually('the first deployment', completed);
    const tasks = await ecs.send(
      new DescribeTasksCommand({
        cluster: 'test',
        tasks: (await ecs.send(new ListTasksCommand({ cluster: 'test', serviceName: 'svc' }))).taskArns ?? [],
      }),
    );
    const ips =
      tasks.tasks?.map(
        (t) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value,
      ) ?? [];
    expect(new Set(ips).size).toBe(2);
    for (const ip of ips) expect(ip).toMatch(/^127\.0\.\d+\.\d+$/);
    expect([...group.targets.values()].map((t) => t.state)).toEqual(['healthy', 'healthy']);
  }, 60_000);

  it('replaces every task with no failed request under steady load', async () => {
    const load = steadyLoad();
    await sleep(300);
    const v2 = await register('v2');
    await ecs.send(new UpdateServiceCommand({ cluster: 'test', service: 'svc', taskDefinition: v2 }));
    const done = await eventually('the v2 rollout', completed);
    await sleep(500);
    const result = await load.stop();
    expect(done.primary?.taskDefinition).toBe(v2);
    expect(result.requests).toBeGreaterThan(50);
    expect(result.failures).toBe(0);
    expect(result.versions.get('v2')).toBeGreaterThan(0);
    const stopped = await ecs.send(
      new ListTasksCommand({ cluster: 'test', serviceName: 'svc', desiredStatus: 'STOPPED' }),
    );
    const old = await ecs.send(new DescribeTasksCommand({ cluster: 'test', tasks: stopped.taskArns ?? [] }));
    expect(
      old.tasks?.map((t) => [t.lastStatus, t.stoppedReason?.startsWith('Scaling activity initiated by')]),
    ).toEqual([
      ['STOPPED', true],
      ['STOPPED', true],
    ]);
  }, 90_000);

  it('drains a deregistered target for the delay, finishing in-flight requests and routing no new ones to it', async () => {
    const [target] = [...group.targets.values()];
    if (!target) throw new Error('no target');
    const inFlight = fetch(`http://${target.id}:${target.port}/slow`).then((r) => r.status);
    await sleep(100);
    const started = Date.now();
    const drained = group.deregister(target.id, target.port);
    const routed = new Set<string>();
    for (let i = 0; i < 10; i++)
      routed.add(((await (await fetch(`${cloud.loadBalancerUrl}/`)).json()) as { ip: string }).ip);
    expect(routed.has(target.id)).toBe(false);
    expect(await inFlight).toBe(200);
    await drained;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    group.register(target.id, target.port);
    await eventually('the target to be healthy again', async () =>
      group.targets.get(`${target.id}:${target.port}`)?.state === 'healthy' ? true : undefined,
    );
  }, 30_000);

  it('replaces tasks that fail health checks, trips the circuit breaker and rolls back, serving throughout', async () => {
    const before = (await primary()).primary?.taskDefinition;
    const load = steadyLoad();
    const bad = await register('v3-bad', { ROOT_STATUS: '500' });
    await ecs.send(new UpdateServiceCommand({ cluster: 'test', service: 'svc', taskDefinition: bad }));
    const failed = await eventually('the circuit breaker', async () => {
      const p = await primary();
      return p.deployments.find((d) => d.taskDefinition === bad && d.rolloutState === 'FAILED');
    });
    expect(failed.failedTasks).toBeGreaterThanOrEqual(3);
    expect(failed.rolloutStateReason).toContain('circuit breaker');
    const back = await eventually('the rollback', completed);
    const result = await load.stop();
    expect(back.primary?.taskDefinition).toBe(before);
    expect(back.service?.events?.map((e) => e.message).join('\n')).toMatch(/rolling back to deployment/);
    expect(back.service?.events?.map((e) => e.message).join('\n')).toMatch(/failed ELB health checks/);
    expect(result.failures).toBe(0);
    expect(result.versions.has('v3-bad')).toBe(false);
  }, 120_000);
});

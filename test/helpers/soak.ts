import { Agent, request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import type { LocalCloud } from '../../local/cloud.js';
import { pushTestImage, serviceScript } from '../local/test-images.js';
import { eventually } from './eventually.js';

/**
 * A service of two tasks behind the local cloud's load balancer (ECS, ELBv2,
 * a Node task per target), as a deployment leaves it; resolves when both are
 * running and the rollout completed. Answers the URL to load.
 */
export async function serviceBehindLoadBalancer(cloud: LocalCloud): Promise<string> {
  const ecs = new ECSClient({
    endpoint: cloud.endpointUrl,
    region: cloud.region,
    credentials: cloud.credentials,
  });
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'soak' });
  const group = cloud.elbv2.createTargetGroup(cloud.scope, {
    Name: 'soak',
    Port: 3000,
    TargetType: 'ip',
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 5,
    HealthCheckTimeoutSeconds: 2,
    HealthyThresholdCount: 2,
  }).group;
  const lb = await cloud.elbv2.createLoadBalancer(cloud.scope, { Name: 'soak' });
  cloud.elbv2.createListener(cloud.scope, {
    LoadBalancerArn: lb.arn,
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [{ Type: 'forward', TargetGroupArn: group.arn }],
  });
  await ecs.send(new CreateClusterCommand({ clusterName: 'soak' }));
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'soak',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: pushTestImage(cloud, 'soak', 'v1', serviceScript('v1')),
          portMappings: [{ containerPort: 3000 }],
          stopTimeout: 2,
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'soak',
      serviceName: 'web',
      taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
      healthCheckGracePeriodSeconds: 0,
      loadBalancers: [{ targetGroupArn: group.arn, containerName: 'web', containerPort: 3000 }],
    }),
  );
  await eventually(
    'the soak service running behind the load balancer',
    async () => {
      const out = await ecs.send(new DescribeServicesCommand({ cluster: 'soak', services: ['web'] }));
      const deployment = out.services?.[0]?.deployments?.[0];
      return deployment?.rolloutState === 'COMPLETED' && deployment.runningCount === 2 ? true : undefined;
    },
    120_000,
  );
  ecs.destroy();
  return `${cloud.loadBalancerUrl}/status`;
}

export interface MemorySample {
  /** Requests answered so far. */
  requests: number;
  /** V8's heap in use after a full collection: what the process keeps, not what it has yet to collect. */
  heapUsedMB: number;
  /** Memory outside the heap that JavaScript objects hold (Buffers among it), after the same collection. */
  externalMB: number;
  rssMB: number;
}

/** A full garbage collection (V8's gc, exposed for this process), so what is measured is what is kept. */
const collect: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export function memorySample(requests: number): MemorySample {
  collect();
  collect();
  const usage = process.memoryUsage();
  return {
    requests,
    heapUsedMB: megabytes(usage.heapUsed),
    externalMB: megabytes(usage.external),
    rssMB: megabytes(usage.rss),
  };
}

const megabytes = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

/** What the process keeps, on the heap and off it. */
export const keptMB = (s: MemorySample) => s.heapUsedMB + s.externalMB;

export interface SoakResult {
  requests: number;
  /** Answers that weren't 200, and failed requests, by what they were. */
  failures: Map<string, number>;
  seconds: number;
  samples: MemorySample[];
}

/**
 * `total` GET requests to `url`, `concurrency` at a time over kept-alive
 * connections (each replaced by a fresh one every `reconnectEvery` requests,
 * as clients come and go), with a memory sample after every `sampleEvery`.
 */
export async function soak(
  url: string,
  options: { total: number; concurrency: number; sampleEvery: number; reconnectEvery?: number },
): Promise<SoakResult> {
  const target = new URL(url);
  const failures = new Map<string, number>();
  const samples: MemorySample[] = [memorySample(0)];
  const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
  let issued = 0;
  let answered = 0;
  let nextSample = options.sampleEvery;
  const started = performance.now();
  const one = (agent: Agent) =>
    new Promise<void>((resolve) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, agent, timeout: 10_000 },
        (res) => {
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
          res.resume();
          res.on('end', resolve);
          res.on('error', (err) => {
            fail(err.message);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => {
        fail(err.message);
        resolve();
      });
      req.end();
    });
  // Each worker has its connection of its own, so one reconnecting never cuts another's request short.
  const worker = async () => {
    let agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let sent = 0;
    while (issued < options.total) {
      issued++;
      await one(agent);
      answered++;
      if (options.reconnectEvery && ++sent % options.reconnectEvery === 0) {
        agent.destroy();
        agent = new Agent({ keepAlive: true, maxSockets: 1 });
      }
      if (answered >= nextSample) {
        nextSample += options.sampleEvery;
        samples.push(memorySample(answered));
      }
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { requests: answered, failures, seconds: (performance.now() - started) / 1000, samples };
}

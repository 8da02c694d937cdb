import { describe, expect, it } from '@jest/globals';
import { EcsStateEvents } from '../../local/services/ecs/state-events.js';
import type { Deployment, Service, Task } from '../../local/services/ecs/store.js';
import type { CloudEvent } from '../../local/services/events/provider.js';

const scope = { accountId: '123456789012', region: 'eu-west-1' };
const service = { scope, serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/c/web' } as Service;
const deployment = { id: 'ecs-svc/1', updatedAt: new Date('2026-01-02T03:04:05.678Z') } as Deployment;
const task = {
  scope,
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/c/abc',
  id: 'abc',
  clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/c',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1',
  group: 'service:web',
  startedBy: 'ecs-svc/1',
  serviceArn: service.serviceArn,
  lastStatus: 'PENDING',
  desiredStatus: 'RUNNING',
  healthStatus: 'UNKNOWN',
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
  ip: '127.0.1.2',
  containers: [{ containerArn: 'arn:c', name: 'web', image: 'web:1', lastStatus: 'PENDING' }],
  version: 2,
} as Task;

describe('ECS state events', () => {
  it('are shaped as the developer guide shows them, in the scope of what changed', () => {
    const sent: [typeof scope, CloudEvent][] = [];
    const events = new EcsStateEvents(() => undefined);
    events.publishTo((s, e) => sent.push([s, e]));
    events.deployment(service, deployment, 'SERVICE_DEPLOYMENT_FAILED', 'ECS deployment circuit breaker: x.');
    events.task(task);
    expect(sent.map(([s]) => s)).toEqual([scope, scope]);
    expect(sent[0]?.[1]).toEqual({
      source: 'aws.ecs',
      'detail-type': 'ECS Deployment State Change',
      resources: [service.serviceArn],
      detail: {
        eventType: 'ERROR',
        eventName: 'SERVICE_DEPLOYMENT_FAILED',
        deploymentId: 'ecs-svc/1',
        updatedAt: '2026-01-02T03:04:05.678Z',
        reason: 'ECS deployment circuit breaker: x.',
      },
    });
    expect(sent[1]?.[1]).toMatchObject({
      'detail-type': 'ECS Task State Change',
      resources: [task.taskArn],
      detail: {
        taskArn: task.taskArn,
        lastStatus: 'PENDING',
        desiredStatus: 'RUNNING',
        version: 2,
        createdAt: '2026-01-02T03:04:05.000Z',
        containers: [{ name: 'web', lastStatus: 'PENDING', taskArn: task.taskArn }],
      },
    });
    expect(sent[1]?.[1].detail).not.toHaveProperty('healthStatus');
    expect(JSON.stringify(sent[1]?.[1].detail)).not.toContain('healthStatus');
  });

  it('go nowhere until connected, and a bus that fails never reaches the scheduler', () => {
    const events = new EcsStateEvents(() => {
      throw new Error('no definition');
    });
    expect(() => events.task(task)).not.toThrow();
    let calls = 0;
    events.publishTo(() => {
      calls++;
      throw new Error('bus down');
    });
    expect(() => events.deployment(service, deployment, 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'r')).not.toThrow();
    expect(() => events.task(task)).not.toThrow();
    expect(calls).toBe(1);
  });
});

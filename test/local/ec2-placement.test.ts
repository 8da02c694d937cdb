import { describe, expect, it } from '@jest/globals';
import { instanceResources } from '../../local/services/ecs/instance-types.js';
import { placeTask } from '../../local/services/ecs/placement.js';
import { targetOf } from '../../local/services/ecs/port-mapping.js';
import {
  type ContainerInstance,
  EcsStore,
  type Service,
  type Task,
  type TaskDefinition,
} from '../../local/services/ecs/store.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const CLUSTER = 'arn:aws:ecs:us-east-1:000000000000:cluster/c';

const definition = (memory: number): TaskDefinition => ({
  taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/app:${memory}`,
  family: 'app',
  revision: memory,
  status: 'ACTIVE',
  containerDefinitions: [{ name: 'app', cpu: 256, memory, memoryReservation: undefined }],
});

function instance(n: number, zone: string, memory = 1996): ContainerInstance {
  return {
    arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/c/${n}`,
    clusterArn: CLUSTER,
    ec2InstanceId: `i-0000000000000000${n}`,
    address: `127.0.9.${n}`,
    instanceType: 't3.small',
    availabilityZone: zone,
    capacityProviderName: 'cp',
    registeredCpu: 2048,
    registeredMemory: memory,
    hostPortsInUse: new Set(),
    registeredAt: new Date(0),
    version: 1,
  };
}

const service = { serviceArn: 'svc', clusterArn: CLUSTER } as Service;

function taskOn(i: ContainerInstance, def: TaskDefinition, n: number): Task {
  return {
    scope,
    taskArn: `task-${n}`,
    id: `${n}`,
    clusterArn: CLUSTER,
    taskDefinitionArn: def.taskDefinitionArn,
    group: 'service:svc',
    startedBy: 'ecs-svc/1',
    serviceArn: 'svc',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    createdAt: new Date(0),
    ip: `127.0.8.${n}`,
    containerInstanceArn: i.arn,
    containers: [],
  };
}

describe('what an instance type registers with ECS', () => {
  it.each([
    ['t3.small', { cpu: 2048, memory: 1996 }],
    ['t3.micro', { cpu: 2048, memory: 998 }],
    ['m5.large', { cpu: 2048, memory: 7985 }],
    ['c6g.xlarge', { cpu: 4096, memory: 7985 }],
    ['r6i.large', { cpu: 2048, memory: 15970 }],
  ])('%s: %o', (type, expected) => {
    expect(instanceResources(type)).toEqual(expected);
  });

  it('a size it does not know is undefined, not a guess', () => {
    expect(instanceResources('t3.metal')).toBeUndefined();
  });
});

describe('placing an EC2 task', () => {
  const def = definition(512);
  const byArn = (arn: string) => (arn === def.taskDefinitionArn ? def : undefined);

  it('spreads by zone first, then by instance', () => {
    const store = new EcsStore();
    const [a1, a2, b1] = [instance(1, 'us-east-1a'), instance(2, 'us-east-1a'), instance(3, 'us-east-1b')];
    for (const i of [a1, a2, b1]) store.containerInstances.set(i.arn, i);
    store.tasks.set('task-1', taskOn(a1, def, 1));
    // Zone a holds one of the service's tasks, zone b none: b's instance gets the next.
    expect(placeTask(store, service, def, 'cp', byArn)).toEqual({ instance: b1 });
    store.tasks.set('task-2', taskOn(b1, def, 2));
    // Both zones hold one: within zone a, the instance without one.
    expect(placeTask(store, service, def, 'cp', byArn)).toEqual({ instance: a2 });
  });

  it('leaves out an instance without the memory, and says which came closest when none has it', () => {
    const store = new EcsStore();
    const small = instance(1, 'us-east-1a', 1000);
    store.containerInstances.set(small.arn, small);
    store.tasks.set('task-1', taskOn(small, def, 1));
    const result = placeTask(store, service, def, 'cp', byArn);
    expect(result).toEqual({
      unplaced: expect.stringMatching(
        /^was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance 1\) has insufficient memory available\./,
      ),
      closest: { arn: small.arn, lacking: 'MEMORY' },
    });
  });

  it("counts a stopped task's resources as free", () => {
    const store = new EcsStore();
    const small = instance(1, 'us-east-1a', 1000);
    store.containerInstances.set(small.arn, small);
    store.tasks.set('task-1', { ...taskOn(small, def, 1), lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    expect(placeTask(store, service, def, 'cp', byArn)).toEqual({ instance: small });
  });

  it('finds no instance of another capacity provider', () => {
    const store = new EcsStore();
    const other = { ...instance(1, 'us-east-1a'), capacityProviderName: 'other' };
    store.containerInstances.set(other.arn, other);
    expect(placeTask(store, service, def, 'cp', byArn)).toEqual({
      unplaced: expect.stringContaining('No Container Instances were found in your capacity provider'),
    });
  });
});

describe("a task's target in its target group", () => {
  it('is the instance and host port in bridge mode, the task address and container port otherwise', () => {
    const fargate = { ip: '127.0.5.5' } as Task;
    expect(targetOf(fargate, 8080)).toEqual({ id: '127.0.5.5', port: 8080, host: '127.0.5.5' });
    const bridge = {
      ip: '127.0.5.6',
      host: { ec2InstanceId: 'i-0123456789abcdef0', address: '127.0.9.1' },
      networkBindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 40001, protocol: 'tcp' }],
    } as Task;
    expect(targetOf(bridge, 8080)).toEqual({ id: 'i-0123456789abcdef0', port: 40001, host: '127.0.9.1' });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalCloud } from '../../local/cloud.js';
import { guarded, inBackground, onBackgroundFailure } from '../../local/runtime/background.js';
import type { Service } from '../../local/services/ecs/store.js';
import { TargetGroup } from '../../local/services/elbv2/target-group.js';
import { eventually } from '../helpers/eventually.js';

const failures: string[] = [];
onBackgroundFailure((what) => failures.push(what));

describe('background work that throws is reported, and nothing else stops', () => {
  it('a throw in guarded work and a rejection in background work are reported', async () => {
    guarded('a sync piece of work', () => {
      throw new Error('boom');
    });
    inBackground('an async piece of work', Promise.reject(new Error('later boom')));
    inBackground('work that throws before it is a promise', () => {
      throw new Error('at once');
    });
    await eventually('the reports', async () => (failures.length >= 3 ? true : undefined), 2000);
    expect(failures).toEqual(
      expect.arrayContaining([
        'a sync piece of work',
        'an async piece of work',
        'work that throws before it is a promise',
      ]),
    );
  });

  it('a health check that throws is reported, and the group keeps its target', async () => {
    const group = new TargetGroup(
      'arn:tg',
      'tg',
      80,
      {
        path: '/',
        intervalSeconds: 1,
        timeoutSeconds: 1,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        matcher: '200',
      },
      0,
    );
    // A health check configuration that can't be read makes every check throw.
    Object.defineProperty(group, 'healthCheck', {
      get() {
        throw new Error('unreadable configuration');
      },
    });
    group.register('127.0.0.1', 9);
    await eventually(
      'the report',
      async () => (failures.some((f) => f.includes('health check of 127.0.0.1:9')) ? true : undefined),
      2000,
    );
    expect(group.targets.size).toBe(1);
    group.stop();
  });
});

describe('a local cloud whose scheduler meets a broken service', () => {
  let cloud: LocalCloud;
  let stateDir: string;
  let ecs: ECSClient;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'stepship-background-'));
    cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir });
    ecs = new ECSClient({
      endpoint: cloud.endpointUrl,
      region: cloud.region,
      credentials: cloud.credentials,
    });
  }, 30_000);
  afterAll(async () => {
    ecs.destroy();
    await cloud.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('reports the service each tick and goes on serving and scheduling', async () => {
    const broken = { serviceArn: 'arn:broken', status: 'ACTIVE', deployments: null } as unknown as Service;
    cloud.ecs.stores.of(cloud.scope).services.set('arn:broken', broken);
    await eventually(
      'the report',
      async () => (failures.some((f) => f === 'scheduling arn:broken') ? true : undefined),
      5000,
    );
    await ecs.send(new CreateClusterCommand({ clusterName: 'still-serving' }));
    const clusters = await ecs.send(new ListClustersCommand({}));
    expect(clusters.clusterArns?.some((a) => a.endsWith('/still-serving'))).toBe(true);
    cloud.ecs.stores.of(cloud.scope).services.delete('arn:broken');
  });
});

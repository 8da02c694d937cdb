import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalCloud } from '../../local/cloud.js';
import { keptMB, serviceBehindLoadBalancer, soak } from '../helpers/soak.js';

/**
 * The suite's small soak (bench/soak.ts runs 100,000 requests): requests
 * through the load balancer to a service's tasks, every one answered, and
 * the memory the local cloud keeps settles instead of growing with them.
 */
const stateDir = mkdtempSync(join(tmpdir(), 'stepship-soak-'));
let cloud: LocalCloud;
let url: string;

beforeAll(async () => {
  cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir });
  url = await serviceBehindLoadBalancer(cloud);
}, 120_000);
afterAll(async () => {
  await cloud?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('a soak through the load balancer', () => {
  it('answers every request, and the memory kept after warm-up (heap and Buffers) stays flat', async () => {
    const result = await soak(url, {
      total: 8_000,
      concurrency: 8,
      sampleEvery: 1_000,
      reconnectEvery: 500,
    });
    expect(result.requests).toBe(8_000);
    expect(Object.fromEntries(result.failures)).toEqual({});
    // Warm-up (JIT, pools, first connections) is the first sample's; from then on, what is kept may wobble, not climb.
    const [warm, ...later] = result.samples.slice(1);
    const growth = Math.max(...later.map(keptMB)) - (warm ? keptMB(warm) : 0);
    expect(growth).toBeLessThan(8);
  }, 180_000);
});

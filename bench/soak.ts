/**
 * Soak: many requests through a local cloud's load balancer to a service of
 * two tasks, with the local cloud's retained memory (V8 heap after a full
 * collection, and RSS) sampled as it goes. The cloud, the load and the
 * measurement share this process; the tasks are processes of their own.
 *
 *   npx tsx bench/soak.ts [--requests 100000] [--concurrency 16] [--sample-every 10000]
 *
 * Prints one line per sample and a summary (JSON): whether the heap settled
 * (the last samples within a few MB of the one after warm-up).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCloud } from '../local/cloud.js';
import { serviceBehindLoadBalancer, soak } from '../test/helpers/soak.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '16' },
    'sample-every': { type: 'string', default: '10000' },
  },
});
const total = Number(values.requests);
const stateDir = mkdtempSync(join(tmpdir(), 'stepship-soak-'));
const cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir });
try {
  const url = await serviceBehindLoadBalancer(cloud);
  const result = await soak(url, {
    total,
    concurrency: Number(values.concurrency),
    sampleEvery: Number(values['sample-every']),
    reconnectEvery: 1000,
  });
  for (const s of result.samples) console.log(JSON.stringify(s));
  const warm = result.samples[1] ?? result.samples[0];
  const last = result.samples.at(-1);
  console.log(
    JSON.stringify({
      requests: result.requests,
      seconds: Math.round(result.seconds * 10) / 10,
      requestsPerSecond: Math.round(result.requests / result.seconds),
      failures: Object.fromEntries(result.failures),
      heapAfterWarmUpMB: warm?.heapUsedMB,
      heapAtEndMB: last?.heapUsedMB,
      heapGrowthMB: Math.round(((last?.heapUsedMB ?? 0) - (warm?.heapUsedMB ?? 0)) * 10) / 10,
      externalAfterWarmUpMB: warm?.externalMB,
      externalAtEndMB: last?.externalMB,
      rssAfterWarmUpMB: warm?.rssMB,
      rssAtEndMB: last?.rssMB,
    }),
  );
} finally {
  await cloud.stop();
  rmSync(stateDir, { recursive: true, force: true });
}

/**
 * A local cloud in a process of its own, for tests that must see it survive
 * (or be killed): started with the options given as JSON in argv[2], it
 * prints one JSON line `{"event":"ready",…}` with its addresses and pid, and
 * stops cleanly on SIGTERM.
 */
import { LocalCloud, type LocalCloudOptions } from '../../local/cloud.js';

const options = JSON.parse(process.argv[2] ?? '{}') as LocalCloudOptions;
const cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, ...options });
console.log(
  JSON.stringify({
    event: 'ready',
    pid: process.pid,
    endpointUrl: cloud.endpointUrl,
    loadBalancerUrl: cloud.loadBalancerUrl,
    region: cloud.region,
    credentials: cloud.credentials,
  }),
);
process.once('SIGTERM', () => {
  void cloud.stop().then(() => process.exit(0));
});

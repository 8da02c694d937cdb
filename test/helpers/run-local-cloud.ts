/**
 * A local cloud in a process of its own, for tests that must see it survive
 * (or be killed): started with the options given as JSON in argv[2] (and,
 * with `provision`, the cloud assembly it provisions), it prints one JSON
 * line `{"event":"ready",…}` with its addresses, pid and what it recovered,
 * and stops cleanly on SIGTERM.
 */
import { LocalCloud, type LocalCloudOptions } from '../../local/cloud.js';

const { provision, ...options } = JSON.parse(process.argv[2] ?? '{}') as LocalCloudOptions & {
  provision?: string;
};
const cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, ...options });
const provisioned = provision ? await cloud.provision(provision) : undefined;
console.log(
  JSON.stringify({
    event: 'ready',
    pid: process.pid,
    endpointUrl: cloud.endpointUrl,
    loadBalancerUrl: cloud.loadBalancerUrl,
    region: cloud.region,
    credentials: cloud.credentials,
    durableState: cloud.durableState,
    recovered: cloud.recovered,
    outputs: provisioned?.outputs ?? {},
  }),
);
process.once('SIGTERM', () => {
  void cloud.stop().then(() => process.exit(0));
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resolveConnection } from '../../cli/connection/connection.js';
import { localClients } from '../../cli/local-clients.js';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { appModel } from '../orchestration/app-models.js';

// A strict local cloud of the app's state folder: the commands must sign with the keys it keeps there.
const stateDir = mkdtempSync(join(tmpdir(), 'stepship-cli-strict-'));
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir, strict: true });
}, 30_000);
afterAll(() => cloud?.stop());

async function listClusters(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
  const ecs = new ECSClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials });
  try {
    await ecs.send(new ListClustersCommand({}));
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  } finally {
    ecs.destroy();
  }
}

describe('the stepship command against a strict local cloud', () => {
  it('signs with the credentials the cloud keeps in the state folder, which it accepts', async () => {
    const connection = await resolveConnection(appModel(), stateDir, { endpoint: cloud.endpointUrl }, {});
    const { accessKeyId, secretAccessKey } = cloud.credentials;
    expect(connection.credentials).toEqual({ accessKeyId, secretAccessKey });
    expect(connection.credentials?.accessKeyId).not.toBe(LOCAL_CREDENTIALS.accessKeyId);
    expect(await listClusters(connection.credentials ?? LOCAL_CREDENTIALS)).toBe('ok');
    const clients = localClients(cloud.endpointUrl, cloud.region, cloud.credentials);
    await expect(clients.ecs.send(new ListClustersCommand({}))).resolves.toHaveProperty('clusterArns');
  });

  it('is refused with the usual local credentials, which a cloud that is not strict takes', async () => {
    expect(await listClusters(LOCAL_CREDENTIALS)).toBe('UnrecognizedClientException');
  });

  it('uses the usual local credentials for a state folder no strict cloud has used', async () => {
    const other = mkdtempSync(join(tmpdir(), 'stepship-cli-open-'));
    const connection = await resolveConnection(appModel(), other, { endpoint: 'http://127.0.0.1:4566' }, {});
    expect(connection.credentials).toEqual(LOCAL_CREDENTIALS);
  });
});

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LOCAL_CREDENTIALS } from '../../local/credentials.js';
import { keptCredentials } from '../../local/state/own-credentials.js';
import type { AppModel } from '../../manifest/model.js';
import { UsageError } from '../errors.js';
import { type CloudDiscovery, discoveryPath, liveDiscovery } from './discovery.js';

/** Where a command's requests go: AWS, or a local cloud's endpoint. */
export interface Connection {
  target: 'local' | 'aws';
  /** The local cloud's endpoint; absent for AWS (the SDK's own endpoints). */
  endpoint?: string;
  region: string;
  /** A local cloud's: any, or in strict mode the ones it keeps in the state folder; AWS gets the SDK's credential chain (absent here). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** How it was chosen, for messages. */
  via: string;
  /** The running `stepship start`, when it was found through its discovery file. */
  discovery?: CloudDiscovery;
}

export interface WhereFlags {
  /** `--endpoint URL`: a local cloud (or any AWS-compatible endpoint). */
  endpoint?: string;
  /** `--aws`: AWS, even while a local cloud serves the app. */
  aws?: boolean;
}

/** The local cloud's region unless it was started with another (it provisions every app there). */
const LOCAL_REGION = 'us-east-1';

/**
 * `--endpoint`, else the app's running local cloud (its discovery file, pid
 * alive), else AWS with the SDK's standard credential and region resolution
 * (the manifest's region when none is configured). `--aws` skips the local
 * cloud.
 */
export async function resolveConnection(
  app: AppModel,
  stateDir: string,
  flags: WhereFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection> {
  if (flags.endpoint !== undefined && flags.aws)
    throw new UsageError('Give --endpoint (a local cloud) or --aws, not both');
  const discovered = flags.aws ? undefined : liveDiscovery(stateDir);
  if (flags.endpoint !== undefined) {
    const endpoint = endpointUrl(flags.endpoint);
    const same = discovered?.endpoint === endpoint ? discovered : undefined;
    return {
      target: 'local',
      endpoint,
      region: same?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? LOCAL_REGION,
      credentials: localCredentials(stateDir),
      via: `--endpoint ${endpoint}`,
      ...(same ? { discovery: same } : {}),
    };
  }
  if (discovered)
    return {
      target: 'local',
      endpoint: discovered.endpoint,
      region: discovered.region,
      credentials: localCredentials(stateDir),
      via: `the local cloud of \`stepship start\` (pid ${discovered.pid}, ${discoveryPath(stateDir)})`,
      discovery: discovered,
    };
  return { target: 'aws', region: (await configuredRegion()) ?? app.region, via: 'AWS' };
}

/**
 * What to sign a local cloud's requests with: the credentials a strict cloud
 * of this app keeps in its state folder when there are any (a cloud that is
 * not strict accepts them like any others), else the usual local ones.
 */
function localCredentials(stateDir: string): { accessKeyId: string; secretAccessKey: string } {
  return keptCredentials(stateDir) ?? LOCAL_CREDENTIALS;
}

/** The region the SDK resolves (AWS_REGION, the profile's), or undefined when none is configured. */
async function configuredRegion(): Promise<string | undefined> {
  const client = new CloudFormationClient({});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

function endpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:4566, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--endpoint must be an http(s) URL such as http://127.0.0.1:4566, got "${value}"`);
  return url.origin;
}

import { LOCAL_CREDENTIALS } from '../local/cloud.js';
import { awsClients } from './connection/clients.js';

/** SDK clients for the local cloud: the same clients a user points at AWS, with the endpoint overridden. */
export function localClients(
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_CREDENTIALS,
) {
  return awsClients({ endpoint, region, credentials });
}

export type LocalClients = ReturnType<typeof localClients>;

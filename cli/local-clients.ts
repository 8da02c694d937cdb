import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS } from '@stepship/local-cloud';

/** SDK clients for the local cloud: the same clients a user points at AWS, with the endpoint overridden. */
export function localClients(endpoint: string, region: string) {
  const config = { endpoint, region, credentials: LOCAL_CREDENTIALS };
  return {
    ecs: new ECSClient(config),
    lambda: new LambdaClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sfn: new SFNClient(config),
  };
}

export type LocalClients = ReturnType<typeof localClients>;

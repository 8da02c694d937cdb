import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { pushTestImage } from './test-images.js';

/** A task that answers its secrets, so the test can see what ECS put in its environment. */
const SECRETS_ECHO = `import http from 'node:http';
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ token: process.env.API_TOKEN, password: process.env.DB_PASSWORD }));
}).listen(3000, process.env.HOST);
`;

let cloud: LocalCloud;
let ecs: ECSClient;
let image: string;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-secrets-')),
  });
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  ecs = new ECSClient(config);
  await new SSMClient(config).send(
    new PutParameterCommand({ Name: '/shop/api-token', Value: 't0ken', Type: 'SecureString' }),
  );
  const secret = await new SecretsManagerClient(config).send(
    new CreateSecretCommand({ Name: 'shop/db', SecretString: JSON.stringify({ password: 'pa55' }) }),
  );
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'secrets-echo' });
  image = pushTestImage(cloud, 'secrets-echo', 'v1', SECRETS_ECHO);
  await ecs.send(new CreateClusterCommand({ clusterName: 'secrets' }));
  const account = cloud.accountId;
  const definition = (withMissing: boolean) =>
    new RegisterTaskDefinitionCommand({
      family: withMissing ? 'secrets-missing' : 'secrets-echo',
      containerDefinitions: [
        {
          name: 'app',
          image,
          portMappings: [{ containerPort: 3000 }],
          secrets: [
            { name: 'API_TOKEN', valueFrom: `arn:aws:ssm:us-east-1:${account}:parameter/shop/api-token` },
            { name: 'DB_PASSWORD', valueFrom: `${secret.ARN}:password::` },
            ...(withMissing ? [{ name: 'GONE', valueFrom: '/shop/not-there' }] : []),
          ],
        },
      ],
    });
  for (const missing of [false, true]) {
    const registered = await ecs.send(definition(missing));
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'secrets',
        serviceName: missing ? 'missing' : 'echo',
        taskDefinition: registered.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
      }),
    );
  }
}, 60_000);
afterAll(async () => {
  ecs.destroy();
  await cloud.stop();
});

/** GET / of a task at its own address (a raw request: fetch has no say over the address it connects from). */
function ask(ip: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request({ host: ip, port: 3000, path: '/' }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
}

describe("a task definition's secrets", () => {
  it('reach the container as environment variables, read from SSM and Secrets Manager (one JSON key)', async () => {
    const ip = await eventually('the echo task to run', async () => {
      const { taskArns = [] } = await ecs.send(
        new ListTasksCommand({ cluster: 'secrets', serviceName: 'echo' }),
      );
      if (taskArns.length === 0) return undefined;
      const { tasks = [] } = await ecs.send(
        new DescribeTasksCommand({ cluster: 'secrets', tasks: taskArns }),
      );
      const running = tasks.find((t) => t.lastStatus === 'RUNNING');
      return running?.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address;
    });
    expect(await ask(ip)).toEqual({ token: 't0ken', password: 'pa55' });
  });

  it('keep a task from starting when one can’t be read, as ECS reports it', async () => {
    const stopped = await eventually('the task with a missing secret to stop', async () => {
      const { taskArns = [] } = await ecs.send(
        new ListTasksCommand({ cluster: 'secrets', serviceName: 'missing', desiredStatus: 'STOPPED' }),
      );
      if (taskArns.length === 0) return undefined;
      const { tasks = [] } = await ecs.send(
        new DescribeTasksCommand({ cluster: 'secrets', tasks: taskArns }),
      );
      return tasks[0];
    });
    expect(stopped.stopCode).toBe('TaskFailedToStart');
    expect(stopped.stoppedReason).toMatch(/^ResourceInitializationError: unable to pull secrets.*GONE/);
  });
});

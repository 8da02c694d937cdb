import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { docker, dockerUnavailableReason } from '../../local/docker/docker-cli.js';
import { ensureBaseImage } from '../../local/images/docker-builder.js';
import { NETWORK_LABEL } from '../../local/runtime/docker-network.js';
import { eventually } from '../helpers/eventually.js';

const skipReason = await dockerUnavailableReason();
if (skipReason && process.env.STEPSHIP_REQUIRE_DOCKER === '1') {
  throw new Error(`Docker tests are required here (STEPSHIP_REQUIRE_DOCKER=1), but ${skipReason}`);
}
if (skipReason) console.warn(`Skipping the container isolation tests: ${skipReason}`);

/**
 * An app written for Fargate, in a container: it listens on port 3000 on
 * every interface and calls DynamoDB by its public host name over HTTPS.
 */
const APP = `import http from 'node:http';
import https from 'node:https';
const listTables = () => new Promise((resolve) => {
  const req = https.request('https://dynamodb.ap-northeast-2.amazonaws.com/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/ap-northeast-2/dynamodb/aws4_request, SignedHeaders=host, Signature=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    },
  }, (res) => {
    let body = '';
    res.on('data', (chunk) => { body += chunk; });
    res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body) }));
  });
  req.on('error', (err) => resolve({ error: err.message }));
  req.end('{}');
});
const server = http.createServer(async (req, res) => {
  const body = req.url === '/aws' ? await listTables() : { listening: server.address(), metadata: process.env.ECS_CONTAINER_METADATA_URI_V4 };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
server.listen(3000);
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
`;

(skipReason ? describe.skip : describe)(
  `tasks as containers${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let cloud: LocalCloud;
    let ecs: ECSClient;
    let ips: string[];
    let network: string;

    beforeAll(async () => {
      cloud = await LocalCloud.start({
        endpointPort: 0,
        loadBalancerPort: 0,
        stateDir: mkdtempSync(join(tmpdir(), 'stepship-containers-')),
        runtime: 'docker',
      });
      network = cloud.taskNetwork.containerNetworkName ?? '';
      ecs = new ECSClient({
        endpoint: cloud.endpointUrl,
        region: cloud.region,
        credentials: LOCAL_CREDENTIALS,
      });
      await cloud.dynamodb.send(
        new CreateTableCommand({
          TableName: 'container-table',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const context = mkdtempSync(join(tmpdir(), 'stepship-container-app-'));
      writeFileSync(join(context, 'server.mjs'), APP);
      writeFileSync(
        join(context, 'Dockerfile'),
        `FROM ${await ensureBaseImage()}\nCOPY server.mjs /app/server.mjs\nUSER 1000:1000\nCMD ["node", "/app/server.mjs"]\n`,
      );
      cloud.ecr.createRepository(cloud.scope, { repositoryName: 'isolated' });
      const image = `${cloud.ecr.registryHost(cloud.scope)}/isolated:v1`;
      await docker(['build', '--quiet', '--tag', cloud.ecr.dockerReference(image), context]);
      await docker(['push', cloud.ecr.dockerReference(image)]);

      await ecs.send(new CreateClusterCommand({ clusterName: 'containers' }));
      const definition = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'isolated',
          networkMode: 'awsvpc',
          containerDefinitions: [
            { name: 'app', image, portMappings: [{ containerPort: 3000 }], stopTimeout: 2 },
          ],
        }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'containers',
          serviceName: 'isolated',
          taskDefinition: definition.taskDefinition?.taskDefinitionArn,
          desiredCount: 2,
        }),
      );
      ips = await eventually(
        'two running containers',
        async () => {
          const listed = await ecs.send(
            new ListTasksCommand({ cluster: 'containers', serviceName: 'isolated' }),
          );
          if ((listed.taskArns ?? []).length < 2) return undefined;
          const described = await ecs.send(
            new DescribeTasksCommand({ cluster: 'containers', tasks: listed.taskArns }),
          );
          const running = (described.tasks ?? []).filter((t) => t.lastStatus === 'RUNNING');
          return running.length === 2
            ? running.map(
                (t) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '',
              )
            : undefined;
        },
        120_000,
      );
    }, 300_000);

    afterAll(async () => {
      ecs?.destroy();
      await cloud?.stop();
    });

    it('run side by side, both on port 3000, each reached on its own task address only', async () => {
      expect(new Set(ips).size).toBe(2);
      for (const ip of ips) {
        const answer = (await (await fetch(`http://${ip}:3000/`)).json()) as {
          listening: { port: number };
          metadata: string;
        };
        // Inside its own network namespace it listens on every interface, as on Fargate.
        expect(answer.listening.port).toBe(3000);
        expect(answer.metadata).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/v4\/[0-9a-f]+$/);
      }
      expect(await connects('127.0.0.1', 3000)).toBe(false);
    });

    it('are on the local cloud’s own network, with nothing on the host network', async () => {
      const ids = (await docker(['ps', '--quiet', '--filter', `network=${network}`]))
        .split('\n')
        .filter(Boolean);
      expect(ids).toHaveLength(2);
      const modes = await docker(['inspect', '--format', '{{.HostConfig.NetworkMode}}', ...ids]);
      expect(modes.split('\n')).toEqual([network, network]);
    });

    it('reach the local cloud at dynamodb.<region>.amazonaws.com over HTTPS, trusting its CA', async () => {
      const answer = await (await fetch(`http://${ips[0]}:3000/aws`)).json();
      expect(answer).toEqual({ status: 200, body: { TableNames: ['container-table'] } });
    });

    it('leave no network behind when the cloud stops', async () => {
      await cloud.stop();
      expect(
        await docker([
          'network',
          'ls',
          '--quiet',
          '--filter',
          `label=${NETWORK_LABEL}`,
          '--filter',
          `name=${network}`,
        ]),
      ).toBe('');
    }, 60_000);
  },
);

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

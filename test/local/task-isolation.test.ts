import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
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
import { eventually } from '../helpers/eventually.js';
import { pushTestImage } from './test-images.js';

/**
 * An app written for Fargate: it listens on port 3000 on every interface and
 * calls DynamoDB at its public host name, over HTTPS (443) and HTTP (80).
 */
const FARGATE_APP = `import http from 'node:http';
import https from 'node:https';
const listTables = (client, url) => new Promise((resolve) => {
  const req = client.request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
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
  const answer = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.url === '/aws-https') return answer(await listTables(https, 'https://dynamodb.us-east-1.amazonaws.com/'));
  if (req.url === '/aws-http') return answer(await listTables(http, 'http://dynamodb.us-east-1.amazonaws.com/'));
  answer({ address: server.address(), pid: process.pid, env: {
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, AWS_CA_BUNDLE: process.env.AWS_CA_BUNDLE,
    SSL_CERT_FILE: process.env.SSL_CERT_FILE, REQUESTS_CA_BUNDLE: process.env.REQUESTS_CA_BUNDLE,
  } });
});
server.listen(3000);
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
`;

interface Identity {
  address: { address: string; port: number };
  pid: number;
  env: Record<string, string>;
}

let stateDir: string;
let cloud: LocalCloud;
let ecs: ECSClient;
let ips: string[];

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'stepship-isolation-'));
  cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir });
  ecs = new ECSClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
  cloud.ecr.createRepository(cloud.scope, { repositoryName: 'fargate-app' });
  await cloud.dynamodb.send(
    new CreateTableCommand({
      TableName: 'isolation-table',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: 'isolation' }));
  const image = pushTestImage(cloud, 'fargate-app', 'v1', FARGATE_APP);
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'fargate-app',
      networkMode: 'awsvpc',
      containerDefinitions: [{ name: 'app', image, portMappings: [{ containerPort: 3000 }], stopTimeout: 2 }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'isolation',
      serviceName: 'fargate-app',
      taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
    }),
  );
  ips = await eventually('two running tasks', async () => {
    const listed = await ecs.send(new ListTasksCommand({ cluster: 'isolation', serviceName: 'fargate-app' }));
    if ((listed.taskArns ?? []).length < 2) return undefined;
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: 'isolation', tasks: listed.taskArns }),
    );
    const running = (described.tasks ?? []).filter((t) => t.lastStatus === 'RUNNING');
    return running.length === 2
      ? running.map(
          (t) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '',
        )
      : undefined;
  });
}, 60_000);

afterAll(async () => {
  ecs?.destroy();
  await cloud?.stop();
});

const identity = async (ip: string) => (await (await fetch(`http://${ip}:3000/`)).json()) as Identity;

describe('tasks of an app that listens on port 3000 on every interface', () => {
  it('run side by side, each listening on its own task address', async () => {
    expect(new Set(ips).size).toBe(2);
    for (const ip of ips) {
      expect(ip).toMatch(/^127\.0\.\d+\.\d+$/);
      expect((await identity(ip)).address).toMatchObject({ address: ip, port: 3000 });
    }
  });

  it('listen on no other address: not 127.0.0.1, and no socket of theirs on any other interface', async () => {
    expect(await connects('127.0.0.1', 3000)).toBe(false);
    for (const ip of ips) {
      const { pid } = await identity(ip);
      expect(listeningSocketsOf(pid)).toEqual([`${ip}:3000`]);
    }
  });

  it('trust the local CA through the variables each runtime reads', async () => {
    const { env } = await identity(ips[0] ?? '');
    expect(env.NODE_EXTRA_CA_CERTS).toBe(join(stateDir, 'ca', 'ca.pem'));
    for (const name of ['AWS_CA_BUNDLE', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE'])
      expect(env[name]).toBe(join(stateDir, 'ca', 'trust-bundle.pem'));
  });
});

describe('AWS’s endpoints, as seen from a task', () => {
  it('answers HTTPS to dynamodb.us-east-1.amazonaws.com with the local cloud, its certificate trusted', async () => {
    const answer = await (await fetch(`http://${ips[0]}:3000/aws-https`)).json();
    expect(answer).toEqual({ status: 200, body: { TableNames: ['isolation-table'] } });
  });

  it('answers plain HTTP to the same host name with the local cloud', async () => {
    const answer = await (await fetch(`http://${ips[1]}:3000/aws-http`)).json();
    expect(answer).toEqual({ status: 200, body: { TableNames: ['isolation-table'] } });
  });

  it('keeps its CA across restarts of the local cloud on the same state directory', async () => {
    const before = readFileSync(join(stateDir, 'ca', 'ca.pem'), 'utf8');
    const again = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir });
    try {
      expect(readFileSync(join(stateDir, 'ca', 'ca.pem'), 'utf8')).toBe(before);
    } finally {
      await again.stop();
    }
  });
});

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** The TCP sockets a process listens on, as `address:port`, read from /proc (no traffic needed). */
function listeningSocketsOf(pid: number): string[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      const target = (() => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      })();
      return /^socket:\[(\d+)\]$/.exec(target)?.[1] ?? [];
    }),
  );
  return ['tcp', 'tcp6'].flatMap((table) =>
    readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[3] === '0A' && inodes.has(f[9] ?? ''))
      .map((f) => procAddress(f[1] ?? '')),
  );
}

/** `0100007F:0BB8` → `127.0.0.1:3000` (IPv4 in /proc is little-endian hex); IPv6 left in hex. */
function procAddress(field: string): string {
  const [hex = '', port = ''] = field.split(':');
  const address =
    hex.length === 8
      ? [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.')
      : `[${hex}]`;
  return `${address}:${Number.parseInt(port, 16)}`;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CloudChild, startCloudChild } from '../helpers/cloud-child.js';
import type { Aim, HostileCase } from './cases/case.js';
import { GUARD_CASES } from './cases/guard.js';
import { JSON_CASES } from './cases/json-services.js';
import { QUERY_CASES } from './cases/query-services.js';
import { CONSOLE_CASES, DYNAMODB_CASES, REGISTRY_CASES, REST_CASES } from './cases/rest-services.js';
import { createFixture, destroyClients, type FixtureClients, fixtureClients, stateOf } from './fixture.js';
import { sendRaw } from './raw-request.js';

/**
 * Hostile input, at a local cloud in a process of its own (so a crash is a
 * dead process, not a caught exception): every request is answered with the
 * error AWS gives it, never a 5xx; the endpoint serves on; and what the
 * cloud holds is the same after the request as before it.
 */
let cloud: CloudChild;
let clients: FixtureClients;
let aim: Aim;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'stepship-hostile-'));
  cloud = await startCloudChild({ stateDir });
  clients = fixtureClients(cloud.endpointUrl, cloud.credentials);
  aim = await createFixture(clients);
}, 90_000);

afterAll(async () => {
  destroyClients(clients);
  await cloud?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function stillServing(): Promise<void> {
  expect(cloud.alive()).toBe(true);
  const health = await fetch(`${cloud.endpointUrl}/_stepship/health`);
  expect(health.status).toBe(200);
}

async function answersAsAws(c: HostileCase): Promise<void> {
  const before = await stateOf(clients, aim);
  const request = typeof c.request === 'function' ? c.request(aim) : c.request;
  const answer = await sendRaw(cloud.endpointUrl, request);
  expect({ status: answer.status, code: c.code === undefined ? undefined : answer.code }).toEqual({
    status: c.status,
    code: c.code,
  });
  await stillServing();
  expect(await stateOf(clients, aim)).toEqual(before);
}

const groups: [string, HostileCase[]][] = [
  [
    'JSON protocols (ECS, ECR, CodeBuild, EventBridge, Logs, Step Functions, SSM, Secrets Manager)',
    JSON_CASES,
  ],
  ['awsQuery (ELBv2, CloudFormation)', QUERY_CASES],
  ['REST (Lambda, S3)', REST_CASES],
  ['the registry API (/v2/)', REGISTRY_CASES],
  ['DynamoDB (dynalite behind the endpoint)', DYNAMODB_CASES],
  ['the console (/_stepship/console/)', CONSOLE_CASES],
  ['web pages and foreign hosts', GUARD_CASES],
];

describe.each(groups)('%s', (_group, rows) => {
  it.each(rows.map((c) => [c.name, c] as const))('%s', async (_name, c) => answersAsAws(c));
});

/** Bytes no HTTP client sends, written straight to a socket; resolves with what came back (maybe nothing). */
function sendBytes(bytes: string | Buffer, closeAfterMs = 500, base = cloud.endpointUrl): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    setTimeout(() => socket.destroy(), closeAfterMs);
  });
}

describe('broken HTTP', () => {
  const host = () => new URL(cloud.endpointUrl).host;
  it.each([
    ['a request line that is not HTTP', () => 'HELLO\r\n\r\n', /^HTTP\/1\.1 400/],
    [
      '64 KB of headers',
      () => `GET / HTTP/1.1\r\nHost: ${host()}\r\nX-Big: ${'a'.repeat(65_536)}\r\n\r\n`,
      /^HTTP\/1\.1 431/,
    ],
    [
      'a chunked body with a chunk size that is not hex',
      () => `POST / HTTP/1.1\r\nHost: ${host()}\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    [
      'a request target no URL parser takes',
      () => `GET //[ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    [
      'a request target with port 99999',
      () => `GET //x:99999/ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    [
      'both Content-Length and chunked',
      () =>
        `POST / HTTP/1.1\r\nHost: ${host()}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
  ])('%s is answered with an HTTP error, and the endpoint serves on', async (_what, bytes, status) => {
    const before = await stateOf(clients, aim);
    expect(await sendBytes(bytes())).toMatch(status);
    await stillServing();
    expect(await stateOf(clients, aim)).toEqual(before);
  });

  it.each([
    [
      'a JSON request that stops halfway through its body',
      'AmazonEC2ContainerServiceV20141113.CreateCluster',
      'ecs',
    ],
    ['a registry upload that stops halfway', undefined, undefined],
  ])('%s leaves nothing behind', async (_what, target, _service) => {
    const before = await stateOf(clients, aim);
    const head = target
      ? `POST / HTTP/1.1\r\nHost: ${host()}\r\nX-Amz-Target: ${target}\r\nContent-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}\r\nContent-Length: 1000\r\n\r\n{"clusterName":"half`
      : `POST /v2/hostile/repo/blobs/uploads/?digest=sha256:${'0'.repeat(64)} HTTP/1.1\r\nHost: ${host()}\r\nContent-Length: 100000\r\n\r\nhalf`;
    await sendBytes(head, 200);
    await stillServing();
    expect(await stateOf(clients, aim)).toEqual(before);
  });
});

describe('the load balancer', () => {
  const host = () => new URL(cloud.loadBalancerUrl).host;
  it.each([
    [
      'a request target no URL parser takes',
      () => `GET //[ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    [
      'a request target with port 99999',
      () => `GET //x:99999/ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    [
      'a path out of the root',
      () => `GET /../../etc/passwd HTTP/1.1\r\nHost: ${host()}\r\n\r\n`,
      /^HTTP\/1\.1 200/,
    ],
    ['a Host header of 8 KB', () => `GET / HTTP/1.1\r\nHost: ${'h'.repeat(8192)}\r\n\r\n`, /^HTTP\/1\.1 200/],
    ['a request line that is not HTTP', () => 'HELLO\r\n\r\n', /^HTTP\/1\.1 400/],
  ])('%s is answered, and the load balancer serves on', async (_what, bytes, status) => {
    expect(await sendBytes(bytes(), 500, cloud.loadBalancerUrl)).toMatch(status);
    expect(cloud.alive()).toBe(true);
    expect((await fetch(cloud.loadBalancerUrl)).status).toBe(200);
  });
});

it('covers at least 100 hostile inputs across every service the endpoint serves', () => {
  const total = groups.reduce((n, [, rows]) => n + rows.length, 0);
  expect(total).toBeGreaterThanOrEqual(100);
});

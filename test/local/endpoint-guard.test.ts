import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';

let cloud: LocalCloud;
let ecs: ECSClient;
let port: number;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-guard-')),
  });
  port = Number(new URL(cloud.endpointUrl).port);
  ecs = new ECSClient({ endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
}, 30_000);
afterAll(async () => {
  ecs.destroy();
  await cloud.stop();
});

const SIGNED =
  'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261129/us-east-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
  'a'.repeat(64);

/** A raw request, with whatever headers a browser or an attacker would send. */
function send(
  headers: Record<string, string>,
  body: string,
  path = '/',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const createCluster = (name: string) => JSON.stringify({ clusterName: name });
const target = {
  'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster',
  'content-type': 'application/x-amz-json-1.1',
};

async function clusterNames(): Promise<string[]> {
  return ((await ecs.send(new ListClustersCommand({}))).clusterArns ?? []).map(
    (a) => a.split('/').pop() ?? '',
  );
}

describe('the endpoint refuses what a web page could send, and changes nothing', () => {
  it.each([
    [
      'a cross-origin form post',
      { host: '', 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      'AccessDeniedException',
    ],
    [
      'a request from another site (Sec-Fetch-Site)',
      { host: '', ...target, 'sec-fetch-site': 'cross-site', authorization: SIGNED },
      'AccessDeniedException',
    ],
    [
      'a foreign Origin on a signed request',
      { host: '', ...target, origin: 'https://evil.example', authorization: SIGNED },
      'AccessDeniedException',
    ],
    [
      'a DNS-rebound host name',
      { host: 'evil.example:4566', ...target, authorization: SIGNED },
      'AccessDeniedException',
    ],
    ['an unsigned request', { host: '', ...target }, 'MissingAuthenticationTokenException'],
    [
      'a malformed signature',
      { host: '', ...target, authorization: 'AWS4-HMAC-SHA256 Credential=x' },
      'MissingAuthenticationTokenException',
    ],
  ])('%s is refused with 403', async (_what, headers, code) => {
    const name = `guard-${Math.random().toString(36).slice(2, 8)}`;
    const answer = await send({ ...headers, host: headers.host || `127.0.0.1:${port}` }, createCluster(name));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: code });
    expect(await clusterNames()).not.toContain(name);
  });

  it('still serves signed requests from SDKs, and the unsigned health probe', async () => {
    expect(await clusterNames()).toEqual(expect.any(Array));
    const health = await fetch(`${cloud.endpointUrl}/_stepship/health`);
    expect(health.status).toBe(200);
  });
});

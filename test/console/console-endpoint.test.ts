import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';

const stateDir = mkdtempSync(join(tmpdir(), 'stepship-console-endpoint-'));
let cloud: LocalCloud;
let port: number;

beforeAll(async () => {
  cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir });
  port = Number(new URL(cloud.endpointUrl).port);
}, 30_000);
afterAll(async () => {
  await cloud?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, with whatever headers a browser, another site or an attacker would send. */
function send(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body = '',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: { host: `127.0.0.1:${port}`, 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the console on the endpoint', () => {
  it("is at cloud.consoleUrl, unsigned, for a browser at the endpoint's own address", async () => {
    expect(cloud.consoleUrl).toBe(`http://127.0.0.1:${port}/_stepship/console/`);
    const answer = await send('/_stepship/console/', {
      'sec-fetch-site': 'none',
      'sec-fetch-mode': 'navigate',
      accept: 'text/html',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('<h1>Apps and services</h1>');
    expect(answer.body).toContain('No ECS cluster yet');
  });

  it.each(['localhost', '[::1]'])('answers at %s too', async (host) => {
    expect((await send('/_stepship/console/', { host: `${host}:${port}` })).status).toBe(200);
  });

  it('serves its pages under a strict Content-Security-Policy, unframeable and uncached', async () => {
    const { headers } = await send('/_stepship/console/deployments');
    expect(headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(headers).toMatchObject({
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
  });

  it('serves its own script, style sheet and icon, and has no inline script or style', async () => {
    const page = (await send('/_stepship/console/deployments')).body;
    expect(page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(page).not.toMatch(/\sstyle=/);
    expect(page).not.toMatch(/\son[a-z]+=/);
    for (const [asset, type] of [
      ['console.js', 'text/javascript; charset=utf-8'],
      ['console.css', 'text/css; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
    ]) {
      expect(page).toContain(`/_stepship/console/assets/${asset}`);
      const answer = await send(`/_stepship/console/assets/${asset}`);
      expect({ asset, status: answer.status, type: answer.headers['content-type'] }).toEqual({
        asset,
        status: 200,
        type,
      });
    }
  });

  it('redirects its bare path to the trailing slash', async () => {
    const answer = await send('/_stepship/console');
    expect(answer.status).toBe(308);
    expect(answer.headers.location).toBe('/_stepship/console/');
  });

  it('answers HEAD with the headers and no body', async () => {
    const answer = await send('/_stepship/console/', {}, 'HEAD');
    expect(answer.status).toBe(200);
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(0);
    expect(answer.body).toBe('');
  });
});

describe('the console refuses what a web page or another host could send', () => {
  it.each([
    ['another site (Sec-Fetch-Site: cross-site)', { 'sec-fetch-site': 'cross-site' }],
    ['a sibling site on loopback (Sec-Fetch-Site: same-site)', { 'sec-fetch-site': 'same-site' }],
    ['a foreign Origin', { origin: 'http://evil.example' }],
    ['a foreign Host (DNS rebinding)', { host: `evil.example:${port}` }],
    ['the right name on the wrong port', { host: '127.0.0.1:1' }],
  ])('refuses %s with 403 and shows nothing', async (_what, headers) => {
    for (const path of [
      '/_stepship/console/',
      '/_stepship/console/deployments',
      '/_stepship/console/assets/console.js',
    ]) {
      const answer = await send(path, headers);
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(answer.body).toContain('AccessDeniedException');
      expect(answer.body).not.toContain('<html');
    }
  });

  it('changes nothing: any method but GET and HEAD is 405, even from its own origin', async () => {
    const ecs = new ECSClient({
      endpoint: cloud.endpointUrl,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await send(
        '/_stepship/console/',
        {
          origin: `http://127.0.0.1:${port}`,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster',
        },
        method,
        JSON.stringify({ clusterName: 'from-the-console' }),
      );
      expect({ method, status: answer.status, allow: answer.headers.allow }).toEqual({
        method,
        status: 405,
        allow: 'GET, HEAD',
      });
    }
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    ecs.destroy();
  });

  it('still requires a signature outside its paths', async () => {
    expect((await send('/_stepship/consolex')).status).toBe(403);
    expect((await send('/_stepship/other')).status).toBe(403);
  });
});

describe('bad requests to the console', () => {
  it.each([
    ['an execution named by no ARN', '/_stepship/console/execution', 400, 'Name an execution by its ARN'],
    [
      'an execution named by a malformed ARN',
      '/_stepship/console/execution?arn=%3Cscript%3E',
      400,
      'Name an execution',
    ],
    [
      'an execution that does not exist',
      '/_stepship/console/execution?arn=arn:aws:states:us-east-1:000000000000:execution:m:none',
      404,
      'No such execution',
    ],
    ['logs of no group', '/_stepship/console/logs', 400, 'Name a log group'],
    [
      'logs of a group that does not exist',
      '/_stepship/console/logs?group=/nowhere',
      404,
      'No such log group: /nowhere',
    ],
    [
      'logs from a time that is not a number',
      '/_stepship/console/logs?group=/g&start=soon',
      400,
      'start must be a whole number',
    ],
    ['a page the console does not have', '/_stepship/console/admin', 404, 'The console has no page'],
  ])('answer %s with a page that says so (%s)', async (_what, path, status, message) => {
    const answer = await send(path);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain(message);
    expect(answer.body).not.toContain('<script>');
  });

  it('answers the JSON view in JSON', async () => {
    const answer = await send(
      '/_stepship/console/execution.json?arn=arn:aws:states:us-east-1:000000000000:execution:m:none',
    );
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'Not found',
      message: 'No such execution: arn:aws:states:us-east-1:000000000000:execution:m:none',
    });
  });
});

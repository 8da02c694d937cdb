import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { jsonLog } from '../../service/src/request-log.js';
import { type Running, startDynalite } from '../helpers/servers.js';
import { type StartedApp, startApp } from './start-app.js';

let dynamo: Running;
let app: StartedApp;
beforeAll(async () => {
  dynamo = await startDynalite();
  app = await startApp({ dynamoEndpoint: dynamo.url });
});
afterAll(async () => {
  await app.close();
  await dynamo.close();
});

describe('the dashboard page', () => {
  it('serves the page with its title, heading and both buttons', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>Fargate Status Dashboard</title>');
    expect(html).toContain('<h1>Fargate App Dashboard</h1>');
    expect(html).toContain('>Check Server Status</button>');
    expect(html).toContain('>Check DynamoDB</button>');
  });

  it('loads only assets served by the service itself', async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      expect(reference.startsWith('/')).toBe(true);
      const asset = await fetch(`${app.url}${reference}`);
      expect(asset.status).toBe(200);
    }
    const res = await fetch(`${app.url}/`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/status/extra'],
    ['POST', '/status'],
    ['DELETE', '/db'],
  ])('%s %s answers 404 with a JSON body', async (method, path) => {
    const res = await fetch(`${app.url}${path}`, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: 'NotFound', message: `No route for ${method} ${path}` });
  });
});

describe('request logging', () => {
  it('writes one JSON line per request with method, path, status and duration', async () => {
    app.logs.length = 0;
    await fetch(`${app.url}/status`);
    await fetch(`${app.url}/missing`);
    const requests = app.logs.filter((line) => line.msg === 'request');
    expect(requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/status',
        status: 200,
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({
        method: 'GET',
        path: '/missing',
        status: 404,
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('writes each line to stdout as exactly one JSON object and a newline', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      jsonLog({ level: 'info', msg: 'request', path: '/a\nb', status: 200 });
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(1);
    const [line = ''] = written;
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'info',
      msg: 'request',
      path: '/a\nb',
      status: 200,
    });
  });
});

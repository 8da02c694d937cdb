import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import type { ProxyEventV2 } from '../../local/services/apigatewayv2/proxy-event.js';
import { eventually } from '../helpers/eventually.js';
import { LOCAL_CREDENTIALS as SIGNING_CREDENTIALS } from '../helpers/fake-credentials.js';
import { signedFetch } from '../helpers/sigv4.js';

const run = promisify(execFile);

/** The functions behind the API: each answers the way its name says. */
const FUNCTIONS = {
  echo: 'export const handler = async (event) => ({ statusCode: 200, headers: { "content-type": "application/json" }, cookies: ["seen=1"], body: JSON.stringify(event) });',
  plain: 'export const handler = async () => ({ hello: "world" });',
  fails: 'export const handler = async () => { throw new Error("broken on purpose"); };',
  slow: 'export const handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return "late"; };',
  unpermitted: 'export const handler = async () => "never reached";',
};

let cloud: LocalCloud;
let apiId: string;
let base: string;
let logs: CloudWatchLogsClient;
const LOG_GROUP = 'http-api-access';

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-http-api-')),
  });
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  const apigw = new ApiGatewayV2Client(config);
  logs = new CloudWatchLogsClient(config);
  const dir = mkdtempSync(join(tmpdir(), 'stepship-http-api-fn-'));
  const api = await apigw.send(new CreateApiCommand({ Name: 'test-api', ProtocolType: 'HTTP' }));
  apiId = api.ApiId ?? '';
  base = api.ApiEndpoint ?? '';
  const routes: [string, keyof typeof FUNCTIONS, 'NONE' | 'AWS_IAM', number?][] = [
    ['GET /open/{id}', 'echo', 'NONE'],
    ['POST /deployments', 'echo', 'AWS_IAM'],
    ['GET /plain', 'plain', 'NONE'],
    ['GET /fails', 'fails', 'NONE'],
    ['GET /slow', 'slow', 'NONE', 500],
    ['GET /unpermitted', 'unpermitted', 'NONE'],
    ['ANY /files/{proxy+}', 'echo', 'NONE'],
  ];
  for (const [name, source] of Object.entries(FUNCTIONS)) {
    writeFileSync(join(dir, `${name}.mjs`), source);
    cloud.lambda.create(cloud.scope, {
      name,
      bundle: join(dir, `${name}.mjs`),
      handlerName: 'handler',
      environment: {},
      timeoutSeconds: 5,
      logGroup: `/aws/lambda/${name}`,
    });
    if (name !== 'unpermitted')
      cloud.lambda.addPermission(cloud.scope, {
        FunctionName: name,
        StatementId: 'api',
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: `arn:aws:execute-api:${cloud.region}:${cloud.accountId}:${apiId}/*/*`,
      });
  }
  for (const [key, fn, auth, timeout] of routes) {
    const integration = await apigw.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: `arn:aws:lambda:${cloud.region}:${cloud.accountId}:function:${fn}`,
        PayloadFormatVersion: '2.0',
        ...(timeout ? { TimeoutInMillis: timeout } : {}),
      }),
    );
    await apigw.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: key,
        AuthorizationType: auth,
        Target: `integrations/${integration.IntegrationId}`,
      }),
    );
  }
  await apigw.send(
    new CreateStageCommand({
      ApiId: apiId,
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: `arn:aws:logs:${cloud.region}:${cloud.accountId}:log-group:${LOG_GROUP}:*`,
        Format: JSON.stringify({
          requestId: '$context.requestId',
          caller: '$context.identity.userArn',
          route: '$context.routeKey',
          status: '$context.status',
          latencyMs: '$context.responseLatency',
          error: '$context.integrationErrorMessage',
        }),
      },
    }),
  );
  await apigw.send(
    new CreateStageCommand({ ApiId: apiId, StageName: 'beta', StageVariables: { tier: 'beta' } }),
  );
  apigw.destroy();
}, 30_000);
afterAll(async () => {
  logs?.destroy();
  await cloud?.stop();
});

/** What the API answered: the echo function's event, or API Gateway's `{message}` (`{Message}` for IAM denials). */
type Body = Partial<ProxyEventV2> & { message?: string; Message?: string };
const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Body });

/** A role of the local cloud's own, its credentials, and whether its policy lets it invoke the API. */
function roleCaller(name: string, allowed: boolean) {
  const role = cloud.iam.createRole(cloud.scope, {
    roleName: name,
    policies: [
      {
        policyName: 'invoke',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'execute-api:Invoke',
              Resource: allowed
                ? `arn:aws:execute-api:${cloud.region}:${cloud.accountId}:${apiId}/*/POST/deployments`
                : `arn:aws:execute-api:${cloud.region}:${cloud.accountId}:${apiId}/*/GET/*`,
            },
          ],
        },
      },
    ],
  });
  return { role, credentials: cloud.iam.credentialsFor(role.arn, `${name}-session`) };
}

describe('an HTTP API served at its invoke URL', () => {
  it('gives the function the format 2.0 event of the request, and answers what it returns', async () => {
    const res = await fetch(`${base}/open/a%20b?x=1&x=2`, { headers: { cookie: 'c=3', 'X-Custom': 'yes' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(res.headers.get('set-cookie')).toBe('seen=1');
    const event = (await res.json()) as ProxyEventV2;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /open/{id}',
      rawPath: '/open/a%20b',
      rawQueryString: 'x=1&x=2',
      cookies: ['c=3'],
      queryStringParameters: { x: '1,2' },
      pathParameters: { id: 'a b' },
      isBase64Encoded: false,
      requestContext: {
        accountId: cloud.accountId,
        apiId,
        domainName: `${apiId}.execute-api.${cloud.region}.amazonaws.com`,
        http: { method: 'GET', path: '/open/a b', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        requestId: res.headers.get('apigw-requestid'),
        routeKey: 'GET /open/{id}',
        stage: '$default',
      },
    });
    expect(event.headers).toMatchObject({ 'x-custom': 'yes', 'x-forwarded-for': '127.0.0.1' });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  it('serves a named stage under its name, with its stage variables', async () => {
    const event = (await (
      await fetch(`${base}/beta/files/a/b.txt`, { method: 'DELETE' })
    ).json()) as ProxyEventV2;
    expect(event).toMatchObject({
      routeKey: 'ANY /files/{proxy+}',
      rawPath: '/beta/files/a/b.txt',
      pathParameters: { proxy: 'a/b.txt' },
      stageVariables: { tier: 'beta' },
      requestContext: { stage: 'beta', http: { method: 'DELETE' } },
    });
  });

  it('answers a plain JSON result as a 200 application/json body', async () => {
    const res = await fetch(`${base}/plain`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await json(res)).toEqual({ status: 200, body: { hello: 'world' } });
  });

  it.each([
    ['no route matches', '/nowhere', 404, { message: 'Not Found' }],
    ['the function fails', '/fails', 500, { message: 'Internal Server Error' }],
    [
      'the function does not let API Gateway invoke it',
      '/unpermitted',
      500,
      { message: 'Internal Server Error' },
    ],
    ['the function outlives the integration timeout', '/slow', 503, { message: 'Service Unavailable' }],
  ])('when %s, answers as API Gateway does', async (_what, path, status, body) => {
    expect(await json(await fetch(`${base}${path}`))).toEqual({ status, body });
  });

  it('answers an API id that does not exist with 403 Forbidden, as API Gateway does', async () => {
    const res = await fetch(`${cloud.endpointUrl}/_aws/execute-api/zzzzzzzzzz/open/x`);
    expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(await json(res)).toEqual({ status: 403, body: { message: 'Forbidden' } });
  });

  it('answers 403 Forbidden on the default endpoint of an API that disabled it, calling nothing', async () => {
    const disabled = cloud.apigatewayv2.createApi(cloud.scope, {
      Name: 'custom-domain-only',
      ProtocolType: 'HTTP',
      DisableExecuteApiEndpoint: true,
      Target: `arn:aws:lambda:${cloud.region}:${cloud.accountId}:function:plain`,
    });
    cloud.lambda.addPermission(cloud.scope, {
      FunctionName: 'plain',
      StatementId: 'custom-domain-only',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:${cloud.region}:${cloud.accountId}:${disabled.api.ApiId}/*/*`,
    });
    const url = cloud.apigatewayv2.apiEndpoint(disabled.api.ApiId);
    for (const path of ['/', '/plain', '/$default/plain']) {
      const res = await fetch(`${url}${path}`);
      expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      expect(await json(res)).toEqual({ status: 403, body: { message: 'Forbidden' } });
    }
    // The same API with the endpoint on answers: the 403 is the setting's, not the route's.
    disabled.api.DisableExecuteApiEndpoint = false;
    expect(await json(await fetch(`${url}/plain`))).toEqual({ status: 200, body: { hello: 'world' } });
  });

  it('refuses a body over 10 MB with 413', async () => {
    const res = await fetch(`${base}/files/big`, { method: 'PUT', body: Buffer.alloc(10 * 1024 * 1024 + 1) });
    expect(await json(res)).toEqual({ status: 413, body: { message: 'Request Entity Too Large' } });
  });

  it('is also served under its AWS host name', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: Number(new URL(cloud.endpointUrl).port),
          path: '/plain',
          headers: { host: `${apiId}.execute-api.${cloud.region}.amazonaws.com` },
        },
        (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer).toEqual({ status: 200, body: '{"hello":"world"}' });
  });
});

describe('IAM authorization (AWS_IAM routes)', () => {
  const deployments = () => `${base}/deployments`;
  const post = (extra: Partial<Parameters<typeof signedFetch>[1]> = {}) =>
    signedFetch(deployments(), {
      method: 'POST',
      service: 'execute-api',
      headers: { 'content-type': 'application/json' },
      body: '{"service":"web"}',
      ...extra,
    }).then(json);

  it('refuses an unsigned request', async () => {
    const res = await fetch(deployments(), { method: 'POST', body: '{}' });
    expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(await json(res)).toEqual({ status: 403, body: { message: 'Forbidden' } });
  });

  it('takes a key the local cloud did not issue as the account itself', async () => {
    const { status, body } = await post();
    expect(status).toBe(200);
    expect(body.requestContext?.authorizer?.iam).toEqual({
      accessKey: SIGNING_CREDENTIALS.accessKeyId,
      accountId: cloud.accountId,
      callerId: cloud.accountId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: `arn:aws:iam::${cloud.accountId}:root`,
      userId: cloud.accountId,
    });
    expect(body.body).toBe('{"service":"web"}');
  });

  it.each([
    [
      'signed for another service',
      { service: 'ecs' },
      "Credential should be scoped to correct service: 'execute-api'. ",
    ],
    ['signed for another region', { region: 'eu-west-1' }, 'Credential should be scoped to a valid region. '],
    [
      'signed long ago',
      { signingDate: new Date(Date.now() - 20 * 60_000) },
      /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
    ],
  ])('refuses a request %s', async (_what, extra, message) => {
    const { status, body } = await post(extra);
    expect(status).toBe(403);
    expect(body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });

  it('lets a role of the local cloud invoke the route its policy allows, naming its session', async () => {
    const { role, credentials } = roleCaller('ApiCaller', true);
    const { status, body } = await post({ credentials });
    expect(status).toBe(200);
    expect(body.requestContext?.authorizer?.iam).toMatchObject({
      accessKey: credentials.accessKeyId,
      accountId: cloud.accountId,
      userArn: `arn:aws:sts::${cloud.accountId}:assumed-role/ApiCaller/ApiCaller-session`,
      userId: `${role.roleId}:ApiCaller-session`,
    });
  });

  it('refuses a role whose policy does not allow execute-api:Invoke on the route', async () => {
    const { credentials } = roleCaller('NoInvoke', false);
    const { status, body } = await post({ credentials });
    expect(status).toBe(403);
    expect(body.Message).toBe(
      `User: arn:aws:sts::${cloud.accountId}:assumed-role/NoInvoke/NoInvoke-session is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${cloud.region}:${cloud.accountId}:${apiId}/$default/POST/deployments because no identity-based policy allows the execute-api:Invoke action`,
    );
  });

  it("refuses a role's key signed with another secret", async () => {
    const { credentials } = roleCaller('WrongSecret', true);
    const { status, body } = await post({
      credentials: { ...credentials, secretAccessKey: 'not-the-secret' },
    });
    expect(status).toBe(403);
    expect(body.message).toMatch(
      /^The request signature we calculated does not match the signature you provided/,
    );
  });

  it('accepts what curl --aws-sigv4 signs', async () => {
    const { credentials } = roleCaller('CurlCaller', true);
    const { stdout } = await run('curl', [
      '--silent',
      '--aws-sigv4',
      `aws:amz:${cloud.region}:execute-api`,
      '--user',
      `${credentials.accessKeyId}:${credentials.secretAccessKey}`,
      '--header',
      `x-amz-security-token: ${credentials.sessionToken}`,
      '--header',
      'content-type: application/json',
      '--data',
      '{"service":"web"}',
      deployments(),
    ]);
    const event = JSON.parse(stdout) as ProxyEventV2;
    expect(event.requestContext.authorizer?.iam.userArn).toBe(
      `arn:aws:sts::${cloud.accountId}:assumed-role/CurlCaller/CurlCaller-session`,
    );
  });
});

describe('access logs', () => {
  it("writes one line per request to the stage's log group, in the stage's format", async () => {
    const res = await signedFetch(`${base}/deployments`, {
      method: 'POST',
      service: 'execute-api',
      body: '{}',
    });
    const requestId = res.headers.get('apigw-requestid');
    await fetch(`${base}/unpermitted`);
    const lines = await eventually('both requests in the access log', async () => {
      const out = await logs.send(
        new GetLogEventsCommand({
          logGroupName: LOG_GROUP,
          logStreamName: `${apiId}_$default`,
          startFromHead: true,
        }),
      );
      const parsed = (out.events ?? []).map((e) => JSON.parse(e.message ?? '{}') as Record<string, string>);
      return parsed.some((l) => l.route === 'GET /unpermitted') ? parsed : undefined;
    });
    expect(lines.find((l) => l.requestId === requestId)).toEqual({
      requestId,
      caller: `arn:aws:iam::${cloud.accountId}:root`,
      route: 'POST /deployments',
      status: '200',
      latencyMs: expect.stringMatching(/^\d+$/),
      error: '-',
    });
    expect(lines.find((l) => l.route === 'GET /unpermitted')).toMatchObject({
      caller: '-',
      status: '500',
      error: expect.stringContaining("doesn't have permissions to call the integration"),
    });
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeEndpoints, type Running } from '../../cli/start.js';
import { STATE } from '../../functions/contract/states.js';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import type { RoleCredentials } from '../../local/iam/access-keys.js';
import { awsCli, awsCliUnavailableReason } from '../helpers/aws-cli.js';
import { eventually } from '../helpers/eventually.js';
import { startTestDeployment } from '../helpers/local-deployment.js';
import { signedFetch } from '../helpers/sigv4.js';

/**
 * The pipeline's HTTP API, provisioned from the synthesized template and
 * served by the local cloud: a deployment started by a SigV4-signed
 * `POST /deployments`, exactly as on AWS.
 */
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'stepship-e2e-api-'));
let env: Running;
let apiUrl: string;
let apiId: string;
let caller: RoleCredentials;
const CALLER_ROLE = 'ReleaseBot';
const callerArn = () => `arn:aws:sts::${env.cloud.accountId}:assumed-role/${CALLER_ROLE}/release-42`;

beforeAll(async () => {
  env = await startTestDeployment(work);
  apiUrl = env.names.apiUrl;
  apiId = apiUrl.split('/').pop() ?? '';
  // A principal of the local cloud's, allowed to invoke this API, as a release pipeline's role would be.
  const role = env.cloud.iam.createRole(env.cloud.scope, {
    roleName: CALLER_ROLE,
    policies: [
      {
        policyName: 'deploy-through-the-api',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'execute-api:Invoke',
              Resource: `arn:aws:execute-api:${env.cloud.region}:${env.cloud.accountId}:${apiId}/*`,
            },
          ],
        },
      },
    ],
  });
  caller = env.cloud.iam.credentialsFor(role.arn, 'release-42');
}, 240_000);
afterAll(async () => {
  await env?.cloud.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: Record<string, unknown> & { deploymentId?: string; duplicate?: boolean; message?: string };
}

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await signedFetch(`${apiUrl}${path}`, {
    method,
    service: 'execute-api',
    credentials: caller,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** The tag of an image the first deployment pushed, to deploy again through the API. */
async function deployedImageTag(): Promise<string> {
  const ecr = new ECRClient({
    endpoint: env.cloud.endpointUrl,
    region: env.cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const [repository] = (await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: repository?.repositoryName }));
    const tag = images.imageDetails?.flatMap((i) => i.imageTags ?? [])[0];
    if (!tag) throw new Error('the first deployment pushed no tagged image');
    return tag;
  } finally {
    ecr.destroy();
  }
}

/** Whether the execution of deployment `id` has passed Prepare (which takes the service's lock). */
async function preparedOf(id: string): Promise<true | undefined> {
  const sfn = new SFNClient({
    endpoint: env.cloud.endpointUrl,
    region: env.cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const executionArn = `${env.names.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    return history.events?.some((e) => e.stateExitedEventDetails?.name === STATE.prepare) ? true : undefined;
  } finally {
    sfn.destroy();
  }
}

describe('the HTTP API on the local cloud', () => {
  it('is printed with the endpoints, at the URL the stack outputs', () => {
    expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_aws\/execute-api\/[a-z0-9]{10}$/);
    const line = describeEndpoints(env.cloud, join(work, 'state'), env.names).find((l) => /^ +API:/.test(l));
    expect(line?.trim().split(/ +/)[1]).toBe(apiUrl);
  });

  it('is provisioned from the template, as the AWS CLI reads it', async () => {
    const reason = awsCliUnavailableReason();
    if (reason) {
      console.warn(`skipped: ${reason}`);
      return;
    }
    const aws = awsCli(env.cloud.endpointUrl);
    const apis = (await aws('apigatewayv2', 'get-apis')) as {
      Items: { ApiId: string; ApiEndpoint: string }[];
    };
    expect(apis.Items).toContainEqual(expect.objectContaining({ ApiId: apiId, ApiEndpoint: apiUrl }));
    const routes = (await aws('apigatewayv2', 'get-routes', '--api-id', apiId)) as {
      Items: { RouteKey: string; AuthorizationType: string }[];
    };
    expect(routes.Items.map((r) => [r.RouteKey, r.AuthorizationType]).sort()).toEqual([
      ['GET /deployments/{id}', 'AWS_IAM'],
      ['POST /deployments', 'AWS_IAM'],
    ]);
    const integrations = (await aws('apigatewayv2', 'get-integrations', '--api-id', apiId)) as {
      Items: { IntegrationType: string; PayloadFormatVersion: string; IntegrationUri: string }[];
    };
    expect(integrations.Items).toHaveLength(2);
    for (const i of integrations.Items)
      expect(i).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    const stages = (await aws('apigatewayv2', 'get-stages', '--api-id', apiId)) as {
      Items: { StageName: string; AutoDeploy: boolean; AccessLogSettings?: { Format: string } }[];
    };
    expect(stages.Items).toEqual([
      expect.objectContaining({
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: expect.objectContaining({
          Format: expect.stringContaining('$context.identity.userArn'),
        }),
      }),
    ]);
    const start = integrations.Items.map((i) => i.IntegrationUri).find((uri) =>
      uri.includes('StartDeployment'),
    );
    const policy = (await aws('lambda', 'get-policy', '--function-name', start ?? '')) as { Policy: string };
    expect(JSON.parse(policy.Policy).Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'apigateway.amazonaws.com' },
        Condition: {
          ArnLike: {
            'AWS:SourceArn': `arn:aws:execute-api:${env.cloud.region}:${env.cloud.accountId}:${apiId}/*/*/deployments`,
          },
        },
      }),
    );
  });

  it('starts a deployment from a signed POST /deployments, records the caller, and answers a repeated key with the same deployment', async () => {
    const body = JSON.stringify({ service: 'web', imageTag: await deployedImageTag() });
    const started = await call('POST', '/deployments', body, { 'Idempotency-Key': 'release-42' });
    expect(started).toMatchObject({ status: 202, body: { duplicate: false } });
    const id = started.body.deploymentId ?? '';
    const again = await call('POST', '/deployments', body, { 'Idempotency-Key': 'release-42' });
    expect(again.body.deploymentId).toBe(id);

    // Once its Prepare holds the service, another request that does not queue is refused at once.
    await eventually(`deployment ${id} to hold the service`, () => preparedOf(id), 60_000);
    const busy = await call('POST', '/deployments', body, { 'Idempotency-Key': 'release-43' });
    expect(busy).toEqual({
      status: 409,
      body: {
        error: 'DeploymentInProgressError',
        message: expect.stringContaining('"queue": true'),
        runningDeploymentId: id,
      },
    });

    const done = await eventually(
      `deployment ${id} to finish`,
      async () => {
        const view = await call('GET', `/deployments/${id}`);
        return view.body.status === 'RUNNING' ? undefined : view;
      },
      180_000,
    );
    expect(done).toMatchObject({
      status: 200,
      body: { deploymentId: id, status: 'SUCCEEDED', record: { trigger: 'api', requester: callerArn() } },
    });
    const afterwards = await call('POST', '/deployments', body, { 'Idempotency-Key': 'release-42' });
    expect(afterwards).toMatchObject({ status: 200, body: { deploymentId: id, duplicate: true } });
  }, 240_000);

  it("starts a deployment from curl --aws-sigv4 with the endpoint's own credentials, as the account", async () => {
    const curl = async (...args: string[]) => {
      const { stdout } = await run('curl', [
        '--silent',
        '--aws-sigv4',
        `aws:amz:${env.cloud.region}:execute-api`,
        '--user',
        `${LOCAL_CREDENTIALS.accessKeyId}:${LOCAL_CREDENTIALS.secretAccessKey}`,
        ...args,
      ]);
      return JSON.parse(stdout) as Answer['body'];
    };
    const body = JSON.stringify({ service: 'web', imageTag: await deployedImageTag() });
    const started = await curl(
      '--header',
      'content-type: application/json',
      '--data',
      body,
      `${apiUrl}/deployments`,
    );
    expect(started).toMatchObject({ duplicate: false, deploymentId: expect.any(String) });
    const done = await eventually(
      `deployment ${started.deploymentId} to finish`,
      async () => {
        const view = await curl(`${apiUrl}/deployments/${started.deploymentId}`);
        return view.status === 'RUNNING' ? undefined : view;
      },
      180_000,
    );
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      record: { trigger: 'api', requester: `arn:aws:iam::${env.cloud.accountId}:root` },
    });
  }, 240_000);

  it.each([
    [
      'an unsigned request',
      () => fetch(`${apiUrl}/deployments`, { method: 'POST', body: '{}' }),
      403,
      { message: 'Forbidden' },
    ],
    [
      'a route the API does not have',
      () =>
        signedFetch(`${apiUrl}/deploy`, {
          method: 'POST',
          service: 'execute-api',
          credentials: caller,
          body: '{}',
        }),
      404,
      { message: 'Not Found' },
    ],
  ])('answers %s as API Gateway does', async (_what, send, status, body) => {
    const res = await send();
    expect({ status: res.status, body: await res.json() }).toEqual({ status, body });
  });

  it('answers a body the start function refuses with its 400', async () => {
    const refused = await call('POST', '/deployments', JSON.stringify({ service: 'web' }));
    expect(refused).toEqual({
      status: 400,
      body: { error: 'ValidationError', message: expect.stringContaining('Give imageTag or imageDigest') },
    });
  });

  it("logs each request in the stage's access log group, with the caller", async () => {
    const logs = new CloudWatchLogsClient({
      endpoint: env.cloud.endpointUrl,
      region: env.cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await call('POST', '/deployments', JSON.stringify({ service: 'web' }));
      await fetch(`${apiUrl}/deployments`, { method: 'POST', body: '{}' });
      const groups = await logs.send(new DescribeLogGroupsCommand({}));
      const group = groups.logGroups?.find((g) => g.logGroupName?.includes('ApiAccessLogs'))?.logGroupName;
      expect(group).toBeDefined();
      const events = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
      const lines = (events.events ?? []).map((e) => JSON.parse(e.message ?? '{}') as Record<string, string>);
      expect(lines).toContainEqual(
        expect.objectContaining({ caller: callerArn(), route: 'POST /deployments', status: '400' }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({ caller: '-', route: 'POST /deployments', status: '403' }),
      );
    } finally {
      logs.destroy();
    }
  });
});

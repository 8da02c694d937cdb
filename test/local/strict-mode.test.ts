import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import { keptCredentials, LocalCloud } from '../../local/cloud.js';
import { Sha256 } from '../../local/iam/signature-match.js';
import { AWS_CLI, awsCliUnavailableReason } from '../helpers/aws-cli.js';

const stateDir = mkdtempSync(join(tmpdir(), 'stepship-strict-'));
let cloud: LocalCloud;

beforeAll(async () => {
  chmodSync(stateDir, 0o755);
  cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir, strict: true });
}, 30_000);
afterAll(() => cloud?.stop());

const config = (credentials: { accessKeyId: string; secretAccessKey: string }) => ({
  endpoint: cloud.endpointUrl,
  region: cloud.region,
  credentials,
});
const wrongSecret = () => ({ ...cloud.credentials, secretAccessKey: 'not-the-secret' });

/** The error a call fails with (its name and HTTP status), or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return `${e.name} ${e.$metadata?.httpStatusCode}`;
  }
}

describe('strict mode', () => {
  it("generates its credentials into the state directory, which it makes its owner's alone", () => {
    const file = join(stateDir, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const { accessKeyId, secretAccessKey } = cloud.credentials;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ accessKeyId, secretAccessKey });
    expect(cloud.credentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(keptCredentials(stateDir)).toEqual({ accessKeyId, secretAccessKey });
    expect(keptCredentials(mkdtempSync(join(tmpdir(), 'stepship-not-strict-')))).toBeUndefined();
  });

  it('serves requests signed with its credentials, in every protocol', async () => {
    const creds = cloud.credentials;
    expect(await outcome(new ECSClient(config(creds)).send(new ListClustersCommand({})))).toBe('ok');
    expect(
      await outcome(
        new ElasticLoadBalancingV2Client(config(creds)).send(new DescribeLoadBalancersCommand({})),
      ),
    ).toBe('ok');
    expect(await outcome(new DynamoDBClient(config(creds)).send(new ListTablesCommand({})))).toBe('ok');
    // Lambda's REST paths carry escaped ARNs: signed over the path as sent, escaped once more.
    const lambda = new LambdaClient(config(creds));
    expect(await outcome(lambda.send(new ListFunctionsCommand({})))).toBe('ok');
    expect(
      await outcome(
        lambda.send(
          new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:none' }),
        ),
      ),
    ).toBe('ResourceNotFoundException 404');
    const s3 = new S3Client({ ...config(creds), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'strict-sources' }));
    await s3.send(new PutObjectCommand({ Bucket: 'strict-sources', Key: 'a b/c.txt', Body: 'kept' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'strict-sources', Key: 'a b/c.txt' }));
    expect(await got.Body?.transformToString()).toBe('kept');
  });

  it("refuses a wrong secret with each service's own code, changing nothing", async () => {
    const bad = wrongSecret();
    expect(await outcome(new ECSClient(config(bad)).send(new ListClustersCommand({})))).toBe(
      'InvalidSignatureException 403',
    );
    expect(
      await outcome(new ElasticLoadBalancingV2Client(config(bad)).send(new DescribeLoadBalancersCommand({}))),
    ).toBe('SignatureDoesNotMatch 403');
    expect(await outcome(new DynamoDBClient(config(bad)).send(new ListTablesCommand({})))).toBe(
      'InvalidSignatureException 403',
    );
    const s3 = new S3Client({ ...config(bad), forcePathStyle: true });
    expect(await outcome(s3.send(new CreateBucketCommand({ Bucket: 'never-made' })))).toBe(
      'SignatureDoesNotMatch 403',
    );
    expect(cloud.s3.stores.of(cloud.scope).buckets.has('never-made')).toBe(false);
  });

  it("serves a role session's credentials issued here, and IAM still decides what they may do", async () => {
    const role = cloud.iam.createRole(cloud.scope, {
      roleName: 'strict-task',
      policies: [
        {
          policyName: 'list',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' }],
          },
        },
      ],
    });
    const session = cloud.iam.credentialsFor(role.arn, 'task-1');
    const ecs = new ECSClient(config(session));
    expect(await outcome(ecs.send(new ListClustersCommand({})))).toBe('ok');
    expect(await outcome(new DynamoDBClient(config(session)).send(new ListTablesCommand({})))).toBe(
      'AccessDeniedException 400',
    );
    const tampered = { ...session, secretAccessKey: `${session.secretAccessKey}x` };
    expect(await outcome(new ECSClient(config(tampered)).send(new ListClustersCommand({})))).toBe(
      'InvalidSignatureException 403',
    );
  });

  it('refuses a key it never issued, and anything unsigned', async () => {
    const stranger = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'whatever' };
    expect(await outcome(new ECSClient(config(stranger)).send(new ListClustersCommand({})))).toBe(
      'UnrecognizedClientException 403',
    );
    const unsigned = await fetch(cloud.endpointUrl, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe(
      'MissingAuthenticationTokenException',
    );
  });

  it('refuses a signature older than 15 minutes, and a body changed after signing', async () => {
    const signer = new SignatureV4({
      credentials: cloud.credentials,
      region: cloud.region,
      service: 'ecs',
      sha256: Sha256,
    });
    const url = new URL(cloud.endpointUrl);
    const request = (body: string) => ({
      method: 'POST',
      protocol: 'http:',
      hostname: url.host,
      path: '/',
      headers: {
        host: url.host,
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
        'content-type': 'application/x-amz-json-1.1',
      },
      body,
    });
    const send = async (signed: { headers: Record<string, string> }, body: string) => {
      const res = await fetch(cloud.endpointUrl, { method: 'POST', headers: signed.headers, body });
      return `${res.status} ${((await res.json()) as { __type?: string }).__type ?? 'ok'}`;
    };
    const fresh = await signer.sign(request('{}'));
    expect(await send(fresh, '{}')).toBe('200 ok');
    expect(await send(fresh, '{"maxResults":1}')).toBe('403 InvalidSignatureException');
    const old = await signer.sign(request('{}'), { signingDate: new Date(Date.now() - 20 * 60_000) });
    expect(await send(old, '{}')).toBe('403 InvalidSignatureException');
  });
});

describe('strict mode, S3 and HTTP APIs', () => {
  /** A request signed with SigV4 for `service` by `credentials`, as an SDK signs it, sent with `body`. */
  async function send(
    url: string,
    options: {
      method: string;
      service: string;
      credentials: { accessKeyId: string; secretAccessKey: string };
    },
    signedBody: string,
    sentBody = signedBody,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string }> {
    const target = new URL(url);
    const signer = new SignatureV4({
      credentials: options.credentials,
      region: cloud.region,
      service: options.service,
      sha256: Sha256,
      uriEscapePath: options.service !== 's3',
    });
    const signed = await signer.sign({
      method: options.method,
      protocol: 'http:',
      hostname: target.host,
      path: target.pathname,
      headers: { host: target.host, ...headers },
      body: signedBody,
    });
    const res = await fetch(url, { method: options.method, headers: signed.headers, body: sentBody });
    return { status: res.status, text: await res.text() };
  }

  it("refuses an S3 body that is not the one signed, with S3's XAmzContentSHA256Mismatch, storing nothing", async () => {
    const s3 = new S3Client({ ...config(cloud.credentials), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'hashed' }));
    const url = `${cloud.endpointUrl}/hashed/object`;
    const digest = createHash('sha256').update('signed').digest('hex');
    const put = { method: 'PUT', service: 's3', credentials: cloud.credentials };
    const changed = await send(url, put, 'signed', 'changed', { 'x-amz-content-sha256': digest });
    expect(changed.status).toBe(400);
    expect(changed.text).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(cloud.s3.stores.of(cloud.scope).buckets.get('hashed')?.objects.has('object')).toBe(false);
    expect((await send(url, put, 'signed', 'signed', { 'x-amz-content-sha256': digest })).status).toBe(200);
  });

  it("answers an invoke URL's refusals as API Gateway does, and serves the cloud's own key as the account", async () => {
    const api = cloud.apigatewayv2.createApi(cloud.scope, { Name: 'strict-api', ProtocolType: 'HTTP' });
    const apiId = api.api.ApiId;
    const integration = cloud.apigatewayv2.createIntegration(cloud.scope, {
      ApiId: apiId,
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: `arn:aws:lambda:${cloud.region}:${cloud.accountId}:function:not-there`,
      PayloadFormatVersion: '2.0',
    });
    cloud.apigatewayv2.createRoute(cloud.scope, {
      ApiId: apiId,
      RouteKey: 'POST /deployments',
      AuthorizationType: 'AWS_IAM',
      Target: `integrations/${integration.IntegrationId}`,
    });
    cloud.apigatewayv2.createStage(cloud.scope, { ApiId: apiId, StageName: '$default', AutoDeploy: true });
    const url = `${cloud.apigatewayv2.apiEndpoint(apiId)}/deployments`;
    const invoke = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      send(url, { method: 'POST', service: 'execute-api', credentials }, '{}');
    const answer = (r: { status: number; text: string }) => ({ status: r.status, body: JSON.parse(r.text) });
    expect(answer(await invoke(wrongSecret()))).toEqual({
      status: 403,
      body: { message: expect.stringMatching(/^The request signature we calculated does not match/) },
    });
    expect(answer(await invoke({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }))).toEqual({
      status: 403,
      body: { message: 'The security token included in the request is invalid.' },
    });
    // Past the signature and IAM: the integration's function does not exist, so API Gateway's 500.
    expect(answer(await invoke(cloud.credentials))).toEqual({
      status: 500,
      body: { message: 'Internal Server Error' },
    });
  });
});

const cliSkip = awsCliUnavailableReason();
(cliSkip ? describe.skip : describe)(
  `the AWS CLI in strict mode${cliSkip ? ` (skipped: ${cliSkip})` : ''}`,
  () => {
    /** The CLI's exit and output, signing with `credentials`. */
    const cli = (credentials: { accessKeyId: string; secretAccessKey: string }, ...args: string[]) =>
      new Promise<{ ok: boolean; output: string }>((resolve) => {
        execFile(
          AWS_CLI,
          ['--endpoint-url', cloud.endpointUrl, '--output', 'json', ...args],
          {
            env: {
              PATH: process.env.PATH,
              HOME: tmpdir(),
              AWS_REGION: cloud.region,
              AWS_ACCESS_KEY_ID: credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
              AWS_PAGER: '',
            },
          },
          (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}` }),
        );
      });

    it('works with its credentials in every protocol, and is refused with a wrong secret', async () => {
      // The output is in the comparison so a failure shows what the CLI said.
      for (const args of [
        ['ecs', 'list-clusters'],
        ['elbv2', 'describe-load-balancers'],
        ['s3api', 'list-buckets'],
        ['dynamodb', 'list-tables'],
        ['lambda', 'list-functions'],
        ['ecr', 'get-login-password'],
      ])
        expect({ args, ...(await cli(cloud.credentials, ...args)) }).toMatchObject({ args, ok: true });
      const refused = await cli(wrongSecret(), 'ecs', 'list-clusters');
      expect(refused.ok).toBe(false);
      expect(refused.output).toContain('InvalidSignatureException');
      const refusedQuery = await cli(wrongSecret(), 'elbv2', 'describe-load-balancers');
      expect(refusedQuery.output).toContain('SignatureDoesNotMatch');
    }, 60_000);

    it('serves an S3 URL the CLI presigned, and refuses it tampered with', async () => {
      const s3 = new S3Client({ ...config(cloud.credentials), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'presigned' }));
      await s3.send(new PutObjectCommand({ Bucket: 'presigned', Key: 'note.txt', Body: 'shared' }));
      const presigned = await cli(
        cloud.credentials,
        's3',
        'presign',
        's3://presigned/note.txt',
        '--expires-in',
        '60',
      );
      expect(presigned.ok).toBe(true);
      const url = presigned.output.trim();
      const got = await fetch(url);
      expect(got.status).toBe(200);
      expect(await got.text()).toBe('shared');
      const tampered = await fetch(url.replace('note.txt', 'other.txt'));
      expect(tampered.status).toBe(403);
      expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    }, 60_000);
  },
);

describe("the registry API in strict mode (Docker's token flow)", () => {
  const basic = (password: string) => `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;

  it('challenges a request without credentials as ECR does', async () => {
    const res = await fetch(`${cloud.endpointUrl}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Basic realm="${cloud.endpointUrl}/",service="ecr.amazonaws.com"`,
    );
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('UNAUTHORIZED');
  });

  it('takes the password GetAuthorizationToken issued, and no other', async () => {
    const ecr = new ECRClient(config(cloud.credentials));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const [user, password = ''] = Buffer.from(authorizationData?.[0]?.authorizationToken ?? '', 'base64')
      .toString()
      .split(':');
    expect(user).toBe('AWS');
    const ok = await fetch(`${cloud.endpointUrl}/v2/`, { headers: { authorization: basic(password) } });
    expect(ok.status).toBe(200);
    const forged = `${password.slice(0, -4)}AAAA`;
    const denied = await fetch(`${cloud.endpointUrl}/v2/`, { headers: { authorization: basic(forged) } });
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('DENIED');
  });

  it('keeps its credentials and tokens across a restart on the same state directory', async () => {
    const ecr = new ECRClient(config(cloud.credentials));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = authorizationData?.[0]?.authorizationToken ?? '';
    const before = cloud.credentials;
    await cloud.stop();
    cloud = await LocalCloud.start({ endpointPort: 0, loadBalancerPort: 0, stateDir, strict: true });
    expect(cloud.credentials.accessKeyId).toBe(before.accessKeyId);
    expect(cloud.credentials.secretAccessKey).toBe(before.secretAccessKey);
    const res = await fetch(`${cloud.endpointUrl}/v2/`, { headers: { authorization: `Basic ${token}` } });
    expect(res.status).toBe(200);
  }, 30_000);
});

describe('the console in strict mode', () => {
  const base = () => `${cloud.endpointUrl}/_stepship/console/`;

  it('answers 401 without its key, and to a wrong one', async () => {
    expect((await fetch(base())).status).toBe(401);
    expect((await fetch(`${base()}?key=${'0'.repeat(64)}`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(base(), { headers: { cookie: `stepship-console=${'0'.repeat(64)}` } })).status).toBe(
      401,
    );
  });

  it('takes the key its URL carries, keeps it in a strict cookie and serves its pages with it', async () => {
    expect(cloud.consoleUrl).toMatch(/\/_stepship\/console\/\?key=[0-9a-f]{64}$/);
    const first = await fetch(cloud.consoleUrl, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/_stepship/console/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^stepship-console=[0-9a-f]{64}; Path=\/_stepship\/console; HttpOnly; SameSite=Strict$/,
    );
    const page = await fetch(base(), { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });
});

describe('the registry API by default', () => {
  let open: LocalCloud;
  beforeAll(async () => {
    open = await LocalCloud.start({
      endpointPort: 0,
      loadBalancerPort: 0,
      stateDir: mkdtempSync(join(tmpdir(), 'stepship-open-')),
    });
  }, 30_000);
  afterAll(() => open?.stop());

  it('serves requests without credentials, and checks the credentials a request brings', async () => {
    expect((await fetch(`${open.endpointUrl}/v2/`)).status).toBe(200);
    const stale = Buffer.from('AWS:stepship-local-000000000000').toString('base64');
    const res = await fetch(`${open.endpointUrl}/v2/`, { headers: { authorization: `Basic ${stale}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Basic realm=');
    const ecr = new ECRClient({
      endpoint: open.endpointUrl,
      region: open.region,
      credentials: open.credentials,
    });
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = authorizationData?.[0]?.authorizationToken ?? '';
    expect(
      (await fetch(`${open.endpointUrl}/v2/`, { headers: { authorization: `Basic ${token}` } })).status,
    ).toBe(200);
  });

  it('still takes any signature', async () => {
    const anyone = { accessKeyId: 'anything', secretAccessKey: 'at-all' };
    const ecs = new ECSClient({ endpoint: open.endpointUrl, region: open.region, credentials: anyone });
    expect(await outcome(ecs.send(new ListClustersCommand({})))).toBe('ok');
  });
});

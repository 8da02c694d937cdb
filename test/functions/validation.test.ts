import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const sfn = mockClient(SFNClient);

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;
const savedEnv = { ...process.env };

const logLines: string[] = [];
beforeAll(async () => {
  // The steps log JSON lines (warnings and errors to stderr); keep them for assertions instead of printing them.
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk) => {
      logLines.push(String(chunk));
      return true;
    });
  }
  Object.assign(process.env, {
    STATE_MACHINE_ARN,
    SERVICE_REPOSITORIES: JSON.stringify({ web: 'web', worker: 'worker-images' }),
    SOURCE_BUCKET: 'stepship-sources',
    AWS_REGION: 'us-east-1',
  });
  ({ handler } = (await import('../../functions/start-deployment/handler.js')) as { handler: Handler });
});
afterAll(() => {
  process.env = savedEnv;
  jest.restoreAllMocks();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:x`, startDate: new Date() });
});

const context = { awsRequestId: 'test' } as Context;
const api = (body: unknown, headers: Record<string, string> = {}) => ({
  requestContext: {
    http: { method: 'POST' },
    authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:user/dev' } },
  },
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const push = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: '0',
  source: 'aws.ecr',
  'detail-type': 'ECR Image Action',
  account: '123456789012',
  detail: {
    result: 'SUCCESS',
    'action-type': 'PUSH',
    'repository-name': 'web',
    'image-digest': DIGEST,
    ...detail,
  },
  ...extra,
});

describe('start-deployment rejects malformed requests with a message naming the problem, and starts nothing', () => {
  it.each<[string, unknown, RegExp]>([
    ['a body that is not JSON', api('{service: web'), /request body must be JSON/],
    ['a JSON array', api([1, 2]), /must be a JSON object/],
    ['a missing service', api({ imageTag: 'v2' }), /service is required/],
    ['a service that is not a string', api({ service: 42, imageTag: 'v2' }), /service must be a string/],
    [
      'an unknown service',
      api({ service: 'billing', imageTag: 'v2' }),
      /Unknown service "billing": this stepship pipeline deploys "web", "worker"/,
    ],
    ['no tag, digest or source', api({ service: 'web' }), /Give imageTag or imageDigest/],
    ['both a tag and a digest', api({ service: 'web', imageTag: 'v2', imageDigest: DIGEST }), /not both/],
    ['an invalid tag', api({ service: 'web', imageTag: '-v2' }), /imageTag must be an image tag/],
    [
      'a tag with shell metacharacters',
      api({ service: 'web', imageTag: 'v2;rm -rf /' }),
      /imageTag must be an image tag/,
    ],
    ['a tag that is a number', api({ service: 'web', imageTag: 2 }), /imageTag must be a string/],
    ['an oversize tag', api({ service: 'web', imageTag: 'v'.repeat(129) }), /imageTag must be an image tag/],
    [
      'a malformed digest',
      api({ service: 'web', imageDigest: 'sha256:xyz' }),
      /imageDigest must be an image digest/,
    ],
    [
      'an uppercase digest',
      api({ service: 'web', imageDigest: `sha256:${'A'.repeat(64)}` }),
      /imageDigest must be/,
    ],
    [
      'JSON injected into a field',
      api({ service: 'web', imageTag: '"},"service":"x' }),
      /imageTag must be an image tag/,
    ],
    ['an unknown field', api({ service: 'web', imageTag: 'v2', force: true }), /Unknown field\(s\) "force"/],
    [
      'a source outside the source bucket',
      api({ service: 'web', source: 's3://other/src.zip' }),
      /source must be in the stepship source bucket/,
    ],
    [
      'a source that is not an S3 zip',
      api({ service: 'web', source: 'https://x/y.zip' }),
      /source must be an S3 URL/,
    ],
    [
      'a source with a tag',
      api({ service: 'web', source: 's3://stepship-sources/s.zip', imageTag: 'v2' }),
      /Give source alone/,
    ],
    [
      'an oversize body',
      api({ service: 'web', imageTag: 'v2', requester: 'x'.repeat(20_000) }),
      /larger than 16384 bytes/,
    ],
    [
      'a bad Idempotency-Key header',
      api({ service: 'web', imageTag: 'v2' }, { 'Idempotency-Key': 'a b' }),
      /Idempotency-Key header/,
    ],
    [
      'a CLI requester with spaces',
      { service: 'web', imageTag: 'v2', requester: 'me; rm' },
      /requester must be/,
    ],
    ['a CLI payload that is null-ish', { service: null, imageTag: 'v2' }, /service is required/],
  ])('%s → 400', async (_case, event, message) => {
    const res = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body ?? '{}') as { error: string; message: string };
    expect(body.error).toBe('ValidationError');
    expect(body.message).toMatch(message);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const rejected = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.message === 'request rejected');
    expect(rejected.at(-1)).toMatchObject({
      level: 'WARN',
      service: 'stepship',
      step: 'start-deployment',
      function_request_id: 'test',
      error: 'ValidationError',
      statusCode: 400,
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['a failed push', push({ result: 'FAILURE' }), /Only successful pushes deploy/],
    ['a delete, not a push', push({ 'action-type': 'DELETE' }), /Only successful pushes deploy/],
    [
      'another repository',
      push({ 'repository-name': 'other' }),
      /Repository "other" is not the repository of a service this pipeline deploys: web \(web\), worker-images \(worker\)/,
    ],
    ['a push without a digest', push({ 'image-digest': undefined }), /no valid image-digest/],
    ['another event source', push({}, { source: 'aws.s3' }), /Unsupported event/],
  ])('a push event with %s is dropped with a reason', async (_case, event, message) => {
    const res = (await handler(event, context)) as { started: boolean; error: string; message: string };
    expect(res).toMatchObject({ started: false, error: 'ValidationError' });
    expect(res.message).toMatch(message);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('reports every problem of a request at once', async () => {
    const res = (await handler(
      api({ service: 'web', imageTag: '-v2', imageDigest: 'sha256:xyz' }),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    const { message } = JSON.parse(res.body ?? '{}') as { message: string };
    expect(message).toMatch(
      /imageTag must be an image tag .*; got "-v2"; imageDigest must be an image digest/,
    );
  });

  it('echoes bad input safely: control characters visible, at most 64 characters', async () => {
    const res = (await handler(
      { service: 'web', imageTag: `v2\n${'x'.repeat(100)}` },
      context,
    )) as APIGatewayProxyStructuredResultV2;
    const { message } = JSON.parse(res.body ?? '{}') as { message: string };
    expect(message).toContain(`got "v2\\n${'x'.repeat(61)}…"`);
  });

  it("deploys a push to another service's repository as that service", async () => {
    const res = (await handler(push({ 'repository-name': 'worker-images' }), context)) as {
      request: unknown;
    };
    expect(res.request).toMatchObject({ service: 'worker', trigger: 'push', imageDigest: DIGEST });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('accepts a well-formed API request with 202 and the execution id', async () => {
    const res = (await handler(
      api({ service: 'web', imageTag: 'v2' }, { 'Idempotency-Key': 'release-42' }),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(202);
    const body = JSON.parse(res.body ?? '{}') as { deploymentId: string; executionArn: string };
    expect(body.deploymentId).toMatch(/^api-web-[0-9a-f]{32}$/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
    expect(input.request).toEqual({
      service: 'web',
      trigger: 'api',
      requester: 'arn:aws:iam::123456789012:user/dev',
      imageTag: 'v2',
      idempotencyKey: 'release-42',
    });
  });
});

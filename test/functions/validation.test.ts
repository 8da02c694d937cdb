import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { RecordStore } from '../../functions/commons/records.js';
import { executionName } from '../../functions/start-deployment/execution-name.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../helpers/fake-credentials.js';
import { createRecordsTable } from '../helpers/records-table.js';
import { type Running, startDynalite } from '../helpers/servers.js';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:stepship-web-deploy';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const sfn = mockClient(SFNClient);
const eventBridge = mockClient(EventBridgeClient);
let dynamo: Running;

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;
const savedEnv = { ...process.env };

const logLines: string[] = [];
/** The steps' structured log lines (other writes, e.g. Node's warnings, are not JSON). */
const logged = () =>
  logLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
beforeAll(async () => {
  // The steps log JSON lines (warnings and errors to stderr); keep them for assertions instead of printing them.
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk) => {
      logLines.push(String(chunk));
      return true;
    });
  }
  // The records table is a real DynamoDB (dynalite): the claim and the lock are conditional writes.
  dynamo = await startDynalite();
  const ddb = new DynamoDBClient({
    endpoint: dynamo.url,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await createRecordsTable(ddb, 'validation-records');
  ddb.destroy();
  Object.assign(process.env, {
    STATE_MACHINE_ARN,
    SERVICE_REPOSITORIES: JSON.stringify({ web: 'web', worker: 'worker-images' }),
    SOURCE_BUCKET: 'stepship-sources',
    RECORDS_TABLE_NAME: 'validation-records',
    LOCK_TTL_SECONDS: '900',
    EVENT_BUS_NAME: 'default',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
  ({ handler } = (await import('../../functions/start-deployment/handler.js')) as { handler: Handler });
});
afterAll(async () => {
  process.env = savedEnv;
  jest.restoreAllMocks();
  await dynamo?.close();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:x`, startDate: new Date() });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: new Date() });
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
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

let events = 0;
/** A `Stepship Deployment Request` event, as the rule delivers it. */
const requestEvent = (detail: unknown, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: `0d5e9c1a-7f3b-4c2e-9a1d-${String(++events).padStart(12, '0')}`,
  'detail-type': 'Stepship Deployment Request',
  source: 'my.ci',
  account: '123456789012',
  time: '2026-11-23T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
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
    const rejected = logged().filter((l) => l.message === 'request rejected');
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

  it.each<[string, unknown, RegExp]>([
    ['no image', requestEvent({ service: 'web' }), /image is required/],
    ['no service', requestEvent({ image: 'v2' }), /service is required/],
    ['an unknown service', requestEvent({ service: 'billing', image: 'v2' }), /Unknown service "billing"/],
    [
      'an image that is neither tag nor digest',
      requestEvent({ service: 'web', image: 'sha256:xyz' }),
      /image must be an image tag or a digest/,
    ],
    [
      'an unknown field',
      requestEvent({ service: 'web', image: 'v2', force: true }),
      /Unknown field\(s\) "force"/,
    ],
    [
      'queue that is not a boolean',
      requestEvent({ service: 'web', image: 'v2', queue: 'yes' }),
      /queue must be true or false/,
    ],
    [
      'a reason with a control character',
      requestEvent({ service: 'web', image: 'v2', reason: 'a\u0007b' }),
      /reason must be/,
    ],
    ['a detail that is a list', requestEvent([1]), /must be a JSON object/],
    [
      'a source that cannot name a requester',
      requestEvent({ service: 'web', image: 'v2' }, { source: 'my ci' }),
      /cannot name a requester/,
    ],
  ])('a Deployment Request event with %s is dropped, its log naming why', async (_case, event, message) => {
    const res = (await handler(event, context)) as { started: boolean; error: string; message: string };
    expect(res).toMatchObject({ started: false, error: 'ValidationError' });
    expect(res.message).toMatch(message);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const dropped = logged().filter((l) => l.message === 'event dropped');
    expect(dropped.at(-1)).toMatchObject({
      level: 'WARN',
      error: 'ValidationError',
      step: 'start-deployment',
      reason: expect.stringMatching(message),
    });
  });

  it('starts a deployment for a well-formed Deployment Request event, keyed by the event id', async () => {
    const event = requestEvent({ service: 'web', image: 'v7', reason: 'nightly rebuild' });
    const res = (await handler(event, context)) as { request: unknown; status: string; deploymentId: string };
    expect(res.request).toEqual({
      service: 'web',
      trigger: 'event',
      requester: 'event:123456789012/my.ci',
      imageTag: 'v7',
      reason: 'nightly rebuild',
      idempotencyKey: event.id,
    });
    expect(res.deploymentId).toMatch(/^event-web-[0-9a-f]{32}$/);
    // EventBridge delivers at least once: the same event again starts nothing new.
    await expect(handler(event, context)).resolves.toMatchObject({
      duplicate: true,
      deploymentId: res.deploymentId,
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
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

describe('start-deployment while the service is being deployed', () => {
  const running = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:api-web-running`;
  let ddb: DynamoDBClient;
  let records: RecordStore;
  beforeAll(() => {
    ddb = new DynamoDBClient({ endpoint: dynamo.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    records = new RecordStore(ddb, 'validation-records');
  });
  beforeEach(() => records.acquireLock('web', running, 900, new Date()).then(() => undefined));
  afterEach(() => records.releaseLock('web', running).then(() => undefined));
  afterAll(() => ddb.destroy());

  it('answers an API request 409 at once, naming the running deployment and how to queue, and records nothing', async () => {
    const res = (await handler(
      api({ service: 'web', imageTag: 'v3' }, { 'Idempotency-Key': 'busy-1' }),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(409);
    const body = JSON.parse(res.body ?? '{}') as Record<string, string>;
    expect(body).toEqual({
      error: 'DeploymentInProgressError',
      message: expect.stringMatching(/already in progress: api-web-running .*"queue": true/),
      runningDeploymentId: 'api-web-running',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const name = executionName({ service: 'web', trigger: 'api', requester: 'x', idempotencyKey: 'busy-1' });
    expect(await records.getRecord(name)).toBeUndefined();
  });

  it('accepts an API request that asks to queue with 202, QUEUED', async () => {
    const res = (await handler(
      api({ service: 'web', imageTag: 'v3', queue: true }, { 'Idempotency-Key': 'busy-queued' }),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ status: 'QUEUED', duplicate: false });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('drops a Deployment Request event, logging why, and changes nothing', async () => {
    const event = requestEvent({ service: 'web', image: 'v8' });
    const res = (await handler(event, context)) as { started: boolean; error: string; deploymentId?: string };
    expect(res).toMatchObject({ started: false, error: 'DeploymentInProgressError' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(
      logged()
        .filter((l) => l.message === 'event dropped')
        .at(-1),
    ).toMatchObject({
      level: 'WARN',
      error: 'DeploymentInProgressError',
      reason: expect.stringContaining('api-web-running'),
    });
    expect(await records.currentLock('web')).toMatchObject({ owner: running });
    // Nothing was claimed under the event's deployment: once the service is free, the same event starts it.
    await records.releaseLock('web', running);
    await expect(handler(event, context)).resolves.toMatchObject({ duplicate: false, status: 'RUNNING' });
  });
});

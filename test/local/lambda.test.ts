import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetFunctionCommand,
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListFunctionsResponse$,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { rawAwsRequest } from '../helpers/raw-aws.js';
import { unmodeledMembers } from '../helpers/unmodeled.js';
import { createFunction } from './local-functions.js';

let cloud: LocalCloud;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-lambda-')),
  });
  const config = { endpoint: cloud.endpointUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS };
  lambda = new LambdaClient(config);
  logs = new CloudWatchLogsClient(config);
  createFunction(cloud, 'echo', 'echo');
  createFunction(cloud, 'exits', 'exits');
  createFunction(cloud, 'rejects-later', 'rejectsLater');
  createFunction(cloud, 'broken-import', 'brokenImport');
  createFunction(cloud, 'sleeps', 'sleeps', { timeoutSeconds: 1 });
}, 30_000);
afterAll(() => cloud.stop());

const payloadOf = (out: { Payload?: Uint8Array }) => JSON.parse(Buffer.from(out.Payload ?? []).toString());
const echoArn = () => `arn:aws:lambda:us-east-1:${cloud.accountId}:function:echo`;

describe('Invoke', () => {
  it('runs the function with its environment, and reports a function error as Lambda does', async () => {
    const ok = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":1}') }),
    );
    expect(ok.StatusCode).toBe(200);
    expect(ok.ExecutedVersion).toBe('$LATEST');
    expect(payloadOf(ok)).toEqual({ echo: { a: 1 }, greeting: 'hello' });
    const failed = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"fail":true}') }),
    );
    expect(failed.FunctionError).toBe('Unhandled');
    expect(payloadOf(failed)).toMatchObject({
      errorType: 'AskedToFailError',
      errorMessage: 'it failed as asked',
    });
  });

  it.each([
    ['its name', { FunctionName: 'echo' }],
    ['its name and $LATEST', { FunctionName: 'echo', Qualifier: '$LATEST' }],
    ['name:$LATEST', { FunctionName: 'echo:$LATEST' }],
    ['its ARN', { FunctionName: 'ARN' }],
    ['its ARN with :$LATEST', { FunctionName: 'ARN:$LATEST' }],
    ['a partial ARN', { FunctionName: 'ACCOUNT:function:echo' }],
  ])('finds the function by %s', async (_, input) => {
    const FunctionName = input.FunctionName.replace('ARN', echoArn()).replace('ACCOUNT', cloud.accountId);
    const out = await lambda.send(new InvokeCommand({ ...input, FunctionName, Payload: Buffer.from('{}') }));
    expect(payloadOf(out)).toEqual({ echo: {}, greeting: 'hello' });
  });

  it.each([
    ['an unknown function', { FunctionName: 'ghost' }, 'function:ghost'],
    ['an unknown version', { FunctionName: 'echo', Qualifier: '7' }, 'function:echo:7'],
    ['an unknown alias in the name', { FunctionName: 'echo:prod' }, 'function:echo:prod'],
  ])('answers ResourceNotFoundException for %s', async (_, input, missing) => {
    const error = await lambda.send(new InvokeCommand(input)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as Error).message).toBe(
      `Function not found: arn:aws:lambda:us-east-1:${cloud.accountId}:${missing}`,
    );
  });

  it('answers a qualifier that contradicts the name with InvalidParameterValueException', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'echo:$LATEST', Qualifier: 'prod' })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it('answers errors with the status, x-amzn-errortype and body Lambda uses', async () => {
    const missing = await rawAwsRequest(cloud.endpointUrl, {
      service: 'lambda',
      path: '/2015-03-31/functions/ghost/invocations',
      body: '{}',
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(missing.json).toEqual({ Type: 'User', Message: expect.stringContaining('Function not found') });
    const badJson = await rawAwsRequest(cloud.endpointUrl, {
      service: 'lambda',
      path: '/2015-03-31/functions/echo/invocations',
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    const unsupported = await rawAwsRequest(cloud.endpointUrl, {
      service: 'lambda',
      method: 'DELETE',
      path: '/2015-03-31/functions/echo',
    });
    expect(unsupported.status).toBe(501);
    expect(unsupported.json).toMatchObject({ Message: expect.stringContaining('does not implement Lambda') });
  });

  it('refuses a payload that is not JSON', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{oops') })),
    ).rejects.toBeInstanceOf(InvalidRequestContentException);
  });

  it('queues an Event invocation (202) and answers DryRun with 204', async () => {
    const queued = await lambda.send(
      new InvokeCommand({
        FunctionName: 'echo',
        InvocationType: 'Event',
        Payload: Buffer.from('{"queued":1}'),
      }),
    );
    expect(queued.StatusCode).toBe(202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    await eventually('the queued event in the log', async () => {
      const out = await logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo', filterPattern: '"queued":1' }),
      );
      return out.events?.length ? true : undefined;
    });
  });
});

describe('a function whose runtime fails', () => {
  it.each([
    ['exits', 'Runtime.ExitError'],
    ['rejects-later', 'Runtime.UnhandledPromiseRejection'],
    ['broken-import', 'Runtime.ImportModuleError'],
    ['sleeps', 'Sandbox.Timedout'],
  ])('%s: the invocation fails with %s, and the next one runs again', async (name, errorType) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
      expect(out.FunctionError).toBe('Unhandled');
      expect(payloadOf(out).errorType).toBe(errorType);
    }
    // The cloud keeps serving.
    expect(payloadOf(await lambda.send(new InvokeCommand({ FunctionName: 'echo' }))).greeting).toBe('hello');
  });

  it('logs the failure of an Event invocation in the function log group, as the runtime does', async () => {
    await lambda.send(new InvokeCommand({ FunctionName: 'exits', InvocationType: 'Event' }));
    const found = await eventually('the Invoke Error line', async () => {
      const out = await logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/exits', filterPattern: '"Invoke Error"' }),
      );
      return out.events?.length ? out.events : undefined;
    });
    expect(found[0]?.message).toContain('"errorType":"Runtime.ExitError"');
  });
});

describe('ListFunctions and GetFunction', () => {
  it('list the functions a page (MaxItems) at a time, with NextMarker', async () => {
    const names: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker }));
      expect(page.Functions?.length).toBeLessThanOrEqual(2);
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
      Marker = page.NextMarker;
      pages++;
    } while (Marker && pages < 10);
    expect(pages).toBe(3);
    expect(names).toEqual(['broken-import', 'echo', 'exits', 'rejects-later', 'sleeps']);
    await expect(lambda.send(new ListFunctionsCommand({ Marker: 'not-a-marker' }))).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );
  });

  it('describe a function with the members Lambda returns, and nothing its model lacks', async () => {
    const raw = await rawAwsRequest(cloud.endpointUrl, {
      service: 'lambda',
      method: 'GET',
      path: '/2015-03-31/functions/?MaxItems=1',
    });
    expect(raw.status).toBe(200);
    expect(unmodeledMembers(ListFunctionsResponse$, raw.json)).toEqual([]);
    const [listed] = (raw.json as { Functions: Record<string, unknown>[] }).Functions;
    expect(listed).toEqual({
      FunctionName: 'broken-import',
      FunctionArn: `arn:aws:lambda:us-east-1:${cloud.accountId}:function:broken-import`,
      Runtime: 'nodejs24.x',
      Role: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//),
      Handler: 'index.handler',
      CodeSize: expect.any(Number),
      Description: '',
      Timeout: 5,
      MemorySize: 128,
      LastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/),
      CodeSha256: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      Version: '$LATEST',
      Environment: { Variables: { GREETING: 'hello' } },
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: expect.any(String),
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/broken-import' },
    });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(got.Configuration).toMatchObject({
      FunctionName: 'echo',
      State: 'Active',
      LastUpdateStatus: 'Successful',
    });
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'ghost' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { expect } from '@jest/globals';
import { LAMBDA_OPERATIONS } from '../../../local/services/lambda/rest.js';
import { caseBuilders } from '../case-builders.js';
import type { ClientClass, ServiceCatalogue } from '../suite.js';

const HANDLER = `export const handler = async (event) => {
  if (event?.fail) { const e = new Error('failed as asked'); e.name = 'AskedToFail'; throw e; }
  return { echo: event };
};`;
const FUNCTIONS = ['conf-echo', 'conf-b', 'conf-c'];
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const { fails, ok, paginates } = caseBuilders<Record<string, never>>();

export const lambda: ServiceCatalogue<Record<string, never>> = {
  model: 'lambda',
  client: LambdaClient as unknown as ClientClass,
  // A REST service: its route table names the operations it serves.
  emulated: () => [...LAMBDA_OPERATIONS],

  async setup({ cloud }) {
    // The local cloud creates functions from templates only (it serves no CreateFunction).
    const dir = mkdtempSync(join(tmpdir(), 'stepship-conformance-fn-'));
    writeFileSync(join(dir, 'index.mjs'), HANDLER);
    for (const name of FUNCTIONS)
      cloud.lambda.create(cloud.scope, {
        name,
        bundle: join(dir, 'index.mjs'),
        handlerName: 'handler',
        environment: {},
        timeoutSeconds: 5,
        logGroup: `/aws/lambda/${name}`,
      });
    cloud.lambda.addPermission(cloud.scope, {
      FunctionName: 'conf-echo',
      StatementId: 'conf-api',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: 'arn:aws:execute-api:us-east-1:000000000000:abcdefghij/*/*/things',
    });
    return {};
  },

  cases: [
    ok(
      InvokeCommand,
      'invokes a function and answers its result',
      { FunctionName: 'conf-echo', Payload: json({ n: 1 }) },
      (out) => {
        expect(out.StatusCode).toBe(200);
        expect(JSON.parse(new TextDecoder().decode(out.Payload))).toEqual({ echo: { n: 1 } });
      },
    ),
    ok(
      InvokeCommand,
      'a function error is answered as X-Amz-Function-Error with the error payload',
      { FunctionName: 'conf-echo', Payload: json({ fail: true }) },
      (out) => expect(out.FunctionError).toBe('Unhandled'),
    ),
    ok(
      InvokeCommand,
      'an Event invocation is accepted with 202',
      { FunctionName: 'conf-echo', InvocationType: 'Event', Payload: json({}) },
      (out) => expect(out.StatusCode).toBe(202),
    ),
    ok(
      InvokeCommand,
      'a DryRun is answered with 204',
      { FunctionName: 'conf-echo', InvocationType: 'DryRun' },
      (out) => expect(out.StatusCode).toBe(204),
    ),
    fails(InvokeCommand, 'an unknown function', { FunctionName: 'conf-absent' }, 'ResourceNotFoundException'),
    fails(
      InvokeCommand,
      'a version that was never published',
      { FunctionName: 'conf-echo', Qualifier: '7' },
      'ResourceNotFoundException',
    ),
    fails(
      InvokeCommand,
      'a payload that is not JSON',
      { FunctionName: 'conf-echo', Payload: new TextEncoder().encode('{broken') },
      'InvalidRequestContentException',
    ),
    ok(ListFunctionsCommand, 'lists functions', {}, (out) =>
      expect(out.Functions?.map((f) => f.FunctionName)).toEqual(expect.arrayContaining(FUNCTIONS)),
    ),
    ...paginates(ListFunctionsCommand, {}),
    ok(GetFunctionCommand, 'gets a function by name', { FunctionName: 'conf-echo' }, (out) => {
      expect(out.Configuration).toMatchObject({ FunctionName: 'conf-echo', State: 'Active' });
      expect(out.Code?.RepositoryType).toBe('S3');
    }),
    ok(
      GetFunctionCommand,
      'gets a function by ARN',
      { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:conf-b' },
      (out) => expect(out.Configuration?.FunctionName).toBe('conf-b'),
    ),
    fails(
      GetFunctionCommand,
      'an unknown function',
      { FunctionName: 'conf-absent' },
      'ResourceNotFoundException',
    ),
    fails(
      GetFunctionCommand,
      'a name outside the model’s pattern',
      { FunctionName: 'conf echo' },
      'ValidationException',
    ),
    ok(
      GetFunctionConfigurationCommand,
      'gets a function’s configuration',
      { FunctionName: 'conf-echo' },
      (out) =>
        expect(out).toMatchObject({
          FunctionName: 'conf-echo',
          Handler: 'index.handler',
          Timeout: 5,
          LoggingConfig: { LogGroup: '/aws/lambda/conf-echo' },
        }),
    ),
    fails(
      GetFunctionConfigurationCommand,
      'an unknown function',
      { FunctionName: 'conf-absent' },
      'ResourceNotFoundException',
    ),
    fails(
      GetFunctionConfigurationCommand,
      'a qualifier that does not exist',
      { FunctionName: 'conf-echo', Qualifier: 'live' },
      'ResourceNotFoundException',
    ),
    ok(
      GetPolicyCommand,
      'answers the resource-based policy AddPermission built',
      { FunctionName: 'conf-echo' },
      (out) =>
        expect(JSON.parse(out.Policy ?? '{}')).toEqual({
          Version: '2012-10-17',
          Id: 'default',
          Statement: [
            {
              Sid: 'conf-api',
              Effect: 'Allow',
              Principal: { Service: 'apigateway.amazonaws.com' },
              Action: 'lambda:InvokeFunction',
              Resource: 'arn:aws:lambda:us-east-1:000000000000:function:conf-echo',
              Condition: {
                ArnLike: {
                  'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:000000000000:abcdefghij/*/*/things',
                },
              },
            },
          ],
        }),
    ),
    fails(
      GetPolicyCommand,
      'a function without a policy',
      { FunctionName: 'conf-b' },
      'ResourceNotFoundException',
    ),
    fails(
      GetPolicyCommand,
      'an unknown function',
      { FunctionName: 'conf-absent' },
      'ResourceNotFoundException',
    ),
  ],
};

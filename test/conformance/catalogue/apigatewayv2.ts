import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
} from '@aws-sdk/client-apigatewayv2';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

interface Fixtures {
  apiId: string;
  routeId: string;
  integrationId: string;
}

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:conf-target';
const LOG_GROUP_ARN = 'arn:aws:logs:us-east-1:000000000000:log-group:conf-access';
/** An id of the right form that names nothing. */
const ABSENT = 'zzzzzzzzzz';

const { fails, ok, paginates, refuses } = caseBuilders<Fixtures>();

export const apigatewayv2: ServiceCatalogue<Fixtures> = {
  model: 'apigatewayv2',
  client: ApiGatewayV2Client as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.apigatewayv2.api),

  async setup({ prepare }) {
    for (const name of ['conf-b', 'conf-c'])
      await prepare(CreateApiCommand, { Name: name, ProtocolType: 'HTTP' });
    const api = await prepare(CreateApiCommand, { Name: 'conf-a', ProtocolType: 'HTTP' });
    const apiId = api.ApiId ?? '';
    let integrationId = '';
    for (const description of ['first', 'second', 'third']) {
      const integration = await prepare(CreateIntegrationCommand, {
        ApiId: apiId,
        IntegrationType: 'AWS_PROXY' as const,
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '2.0',
        Description: description,
      });
      integrationId ||= integration.IntegrationId ?? '';
    }
    let routeId = '';
    for (const key of ['GET /a', 'GET /b/{id}', 'ANY /{proxy+}']) {
      const route = await prepare(CreateRouteCommand, {
        ApiId: apiId,
        RouteKey: key,
        AuthorizationType: 'AWS_IAM' as const,
        Target: `integrations/${integrationId}`,
      });
      routeId ||= route.RouteId ?? '';
    }
    for (const stage of ['$default', 'beta', 'prod'])
      await prepare(CreateStageCommand, { ApiId: apiId, StageName: stage, AutoDeploy: stage === '$default' });
    return { apiId, routeId, integrationId };
  },

  cases: [
    ok(
      CreateApiCommand,
      'creates an HTTP API with its defaults',
      { Name: 'conf-new', ProtocolType: 'HTTP' },
      (out) => {
        expect(out).toMatchObject({
          Name: 'conf-new',
          ProtocolType: 'HTTP',
          RouteSelectionExpression: '$request.method $request.path',
          DisableExecuteApiEndpoint: false,
        });
        expect(out.ApiId).toMatch(/^[a-z0-9]{10}$/);
        expect(out.ApiEndpoint).toMatch(new RegExp(`/_aws/execute-api/${out.ApiId}$`));
      },
    ),
    ok(
      CreateApiCommand,
      'quick-creates an API: a $default route, its Lambda integration and an auto-deployed $default stage',
      { Name: 'conf-quick', ProtocolType: 'HTTP', Target: FUNCTION_ARN },
      (out) => expect(out.ApiId).toMatch(/^[a-z0-9]{10}$/),
    ),
    fails(
      CreateApiCommand,
      'a protocol other than HTTP or WEBSOCKET',
      { Name: 'conf-x', ProtocolType: 'GRPC' as 'HTTP' },
      'BadRequestException',
    ),
    refuses(
      CreateApiCommand,
      'a body without the required name',
      '{"protocolType":"HTTP"}',
      'BadRequestException',
    ),
    refuses(
      CreateApiCommand,
      'a name that is not a string',
      '{"name":7,"protocolType":"HTTP"}',
      'BadRequestException',
    ),

    ok(GetApisCommand, 'lists the APIs', {}, (out) =>
      expect(out.Items?.map((a) => a.Name)).toEqual(expect.arrayContaining(['conf-a', 'conf-b', 'conf-c'])),
    ),
    ...paginates(GetApisCommand, {}),
    fails(GetApisCommand, 'a page size that is not a number', { MaxResults: 'ten' }, 'BadRequestException'),

    ok(
      GetApiCommand,
      'gets an API with its invoke URL',
      (f) => ({ ApiId: f.apiId }),
      (out, f) =>
        expect(out).toMatchObject({
          ApiId: f.apiId,
          Name: 'conf-a',
          ApiEndpoint: expect.stringContaining(f.apiId),
        }),
    ),
    fails(GetApiCommand, 'an API that does not exist', { ApiId: ABSENT }, 'NotFoundException'),

    ok(
      CreateStageCommand,
      'creates a stage with access logs',
      (f) => ({
        ApiId: f.apiId,
        StageName: 'conf-logged',
        AccessLogSettings: { DestinationArn: LOG_GROUP_ARN, Format: '$context.requestId' },
      }),
      (out) => expect(out).toMatchObject({ StageName: 'conf-logged', AutoDeploy: false }),
    ),
    fails(
      CreateStageCommand,
      'a stage name in use',
      (f) => ({ ApiId: f.apiId, StageName: 'prod' }),
      'ConflictException',
    ),
    fails(
      CreateStageCommand,
      'an access log destination that is not a log group',
      (f) => ({
        ApiId: f.apiId,
        StageName: 'conf-bad-logs',
        AccessLogSettings: { DestinationArn: 'arn:aws:s3:::bucket', Format: '$context.requestId' },
      }),
      'BadRequestException',
    ),
    fails(
      CreateStageCommand,
      'an API that does not exist',
      { ApiId: ABSENT, StageName: 'x' },
      'NotFoundException',
    ),

    ok(
      GetStagesCommand,
      'lists the stages',
      (f) => ({ ApiId: f.apiId }),
      (out) =>
        expect(out.Items?.map((s) => s.StageName)).toEqual(
          expect.arrayContaining(['$default', 'beta', 'prod']),
        ),
    ),
    ...paginates(GetStagesCommand, (f) => ({ ApiId: f.apiId })),
    ok(
      GetStageCommand,
      'gets the $default stage',
      (f) => ({ ApiId: f.apiId, StageName: '$default' }),
      (out) =>
        expect(out).toMatchObject({
          StageName: '$default',
          AutoDeploy: true,
          DeploymentId: expect.any(String),
        }),
    ),
    fails(
      GetStageCommand,
      'a stage that does not exist',
      (f) => ({ ApiId: f.apiId, StageName: 'absent' }),
      'NotFoundException',
    ),

    ok(
      CreateRouteCommand,
      'creates a route with an IAM authorization',
      (f) => ({
        ApiId: f.apiId,
        RouteKey: 'POST /conf-new',
        AuthorizationType: 'AWS_IAM' as const,
        Target: `integrations/${f.integrationId}`,
      }),
      (out) => expect(out).toMatchObject({ RouteKey: 'POST /conf-new', AuthorizationType: 'AWS_IAM' }),
    ),
    fails(
      CreateRouteCommand,
      'a route key in use',
      (f) => ({ ApiId: f.apiId, RouteKey: 'GET /a' }),
      'ConflictException',
    ),
    fails(
      CreateRouteCommand,
      'a route key without a method',
      (f) => ({ ApiId: f.apiId, RouteKey: '/no-method' }),
      'BadRequestException',
    ),
    fails(
      CreateRouteCommand,
      'a greedy path variable that is not last',
      (f) => ({ ApiId: f.apiId, RouteKey: 'GET /{proxy+}/x' }),
      'BadRequestException',
    ),
    fails(
      CreateRouteCommand,
      'a target integration that does not exist',
      (f) => ({ ApiId: f.apiId, RouteKey: 'GET /conf-orphan', Target: 'integrations/abcdefg' }),
      'NotFoundException',
    ),

    ok(
      GetRoutesCommand,
      'lists the routes',
      (f) => ({ ApiId: f.apiId }),
      (out) =>
        expect(out.Items?.map((r) => r.RouteKey)).toEqual(
          expect.arrayContaining(['GET /a', 'GET /b/{id}', 'ANY /{proxy+}']),
        ),
    ),
    ...paginates(GetRoutesCommand, (f) => ({ ApiId: f.apiId })),
    fails(GetRoutesCommand, 'an API that does not exist', { ApiId: ABSENT }, 'NotFoundException'),
    ok(
      GetRouteCommand,
      'gets a route',
      (f) => ({ ApiId: f.apiId, RouteId: f.routeId }),
      (out, f) =>
        expect(out).toMatchObject({
          RouteId: f.routeId,
          RouteKey: 'GET /a',
          AuthorizationType: 'AWS_IAM',
          ApiKeyRequired: false,
          Target: `integrations/${f.integrationId}`,
        }),
    ),
    fails(
      GetRouteCommand,
      'a route that does not exist',
      (f) => ({ ApiId: f.apiId, RouteId: 'abcdefg' }),
      'NotFoundException',
    ),

    ok(
      CreateIntegrationCommand,
      'creates a Lambda proxy integration',
      (f) => ({
        ApiId: f.apiId,
        IntegrationType: 'AWS_PROXY' as const,
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '2.0',
        TimeoutInMillis: 5000,
      }),
      (out) =>
        expect(out).toMatchObject({
          IntegrationType: 'AWS_PROXY' as const,
          IntegrationMethod: 'POST',
          ConnectionType: 'INTERNET',
          TimeoutInMillis: 5000,
        }),
    ),
    fails(
      CreateIntegrationCommand,
      'a Lambda proxy integration without a payload format version',
      (f) => ({ ApiId: f.apiId, IntegrationType: 'AWS_PROXY' as const, IntegrationUri: FUNCTION_ARN }),
      'BadRequestException',
    ),
    fails(
      CreateIntegrationCommand,
      'a timeout over 30 seconds',
      (f) => ({
        ApiId: f.apiId,
        IntegrationType: 'AWS_PROXY' as const,
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '2.0',
        TimeoutInMillis: 31_000,
      }),
      'BadRequestException',
    ),

    ok(
      GetIntegrationsCommand,
      'lists the integrations',
      (f) => ({ ApiId: f.apiId }),
      (out) =>
        expect(out.Items?.map((i) => i.Description)).toEqual(
          expect.arrayContaining(['first', 'second', 'third']),
        ),
    ),
    ...paginates(GetIntegrationsCommand, (f) => ({ ApiId: f.apiId })),
    ok(
      GetIntegrationCommand,
      'gets an integration',
      (f) => ({ ApiId: f.apiId, IntegrationId: f.integrationId }),
      (out, f) =>
        expect(out).toMatchObject({
          IntegrationId: f.integrationId,
          IntegrationUri: FUNCTION_ARN,
          PayloadFormatVersion: '2.0',
          TimeoutInMillis: 30_000,
        }),
    ),
    fails(
      GetIntegrationCommand,
      'an integration that does not exist',
      (f) => ({ ApiId: f.apiId, IntegrationId: 'abcdefg' }),
      'NotFoundException',
    ),
  ],
};

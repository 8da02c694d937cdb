import { randomBytes } from 'node:crypto';
import type {
  CreateApiRequest,
  CreateIntegrationRequest,
  CreateRouteRequest,
  CreateStageRequest,
  Integration,
  Route,
  Stage,
} from '@aws-sdk/client-apigatewayv2';
import type { Scope } from '../../core/scope.js';
import { AwsError } from '../../http/aws-error.js';
import { checkIntegration, checkRoute, checkStage } from './checks.js';
import type { HttpApi } from './store.js';

// The APIs, stages, routes and integrations that provisioning and the Create* operations make,
// checked and filled in with AWS's defaults.

const HTTP_ROUTE_SELECTION = '$request.method $request.path';
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const badRequest = (message: string) => new AwsError('BadRequestException', message, 400);
export const notFound = (message: string) => new AwsError('NotFoundException', message, 404);
export const conflict = (message: string) => new AwsError('ConflictException', message, 409);

/** API Gateway's ids: lowercase letters and digits (10 for an API, 7 for its routes and integrations). */
export function newId(length: number): string {
  return [...randomBytes(length)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

export function newApi(scope: Scope, input: CreateApiRequest): HttpApi {
  const name = input.Name ?? '';
  if (name.length < 1 || name.length > 128) throw badRequest('Name must be 1 to 128 characters long.');
  if (input.ProtocolType !== 'HTTP' && input.ProtocolType !== 'WEBSOCKET')
    throw badRequest(`Invalid protocol type specified: ${String(input.ProtocolType)}`);
  const http = input.ProtocolType === 'HTTP';
  if (
    http &&
    input.RouteSelectionExpression !== undefined &&
    input.RouteSelectionExpression !== HTTP_ROUTE_SELECTION
  )
    throw badRequest(`HTTP APIs support only the route selection expression ${HTTP_ROUTE_SELECTION}.`);
  if (!http && input.RouteSelectionExpression === undefined)
    throw badRequest('A route selection expression is required for WebSocket APIs.');
  if (!http && input.Target !== undefined) throw badRequest('Quick create is supported only for HTTP APIs.');
  const api: HttpApi['api'] = {
    ApiId: newId(10),
    Name: name,
    ProtocolType: input.ProtocolType,
    RouteSelectionExpression: input.RouteSelectionExpression ?? HTTP_ROUTE_SELECTION,
    ApiKeySelectionExpression: input.ApiKeySelectionExpression ?? '$request.header.x-api-key',
    CreatedDate: new Date(),
    DisableExecuteApiEndpoint: input.DisableExecuteApiEndpoint ?? false,
    IpAddressType: input.IpAddressType ?? 'ipv4',
    Tags: input.Tags ?? {},
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    ...(input.Version !== undefined ? { Version: input.Version } : {}),
    ...(input.CorsConfiguration !== undefined ? { CorsConfiguration: input.CorsConfiguration } : {}),
    ...(input.DisableSchemaValidation !== undefined
      ? { DisableSchemaValidation: input.DisableSchemaValidation }
      : {}),
  };
  return { scope, api, stages: new Map(), routes: new Map(), integrations: new Map() };
}

export function addStage(entry: HttpApi, input: CreateStageRequest): Stage {
  const stageName = input.StageName ?? '';
  checkStage(input);
  if (entry.stages.has(stageName)) throw conflict(`Stage already exists: ${stageName}`);
  const now = new Date();
  const deploymentId = input.AutoDeploy ? newId(6) : input.DeploymentId;
  const stage: Stage & { StageName: string } = {
    StageName: stageName,
    AutoDeploy: input.AutoDeploy ?? false,
    CreatedDate: now,
    LastUpdatedDate: now,
    DefaultRouteSettings: { DetailedMetricsEnabled: false, ...input.DefaultRouteSettings },
    RouteSettings: input.RouteSettings ?? {},
    StageVariables: input.StageVariables ?? {},
    Tags: input.Tags ?? {},
    ...(input.AccessLogSettings !== undefined ? { AccessLogSettings: input.AccessLogSettings } : {}),
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    ...(input.ClientCertificateId !== undefined ? { ClientCertificateId: input.ClientCertificateId } : {}),
    ...(deploymentId !== undefined ? { DeploymentId: deploymentId } : {}),
    ...(input.AutoDeploy
      ? { LastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${deploymentId}'` }
      : {}),
  };
  entry.stages.set(stageName, stage);
  return stage;
}

export function addRoute(entry: HttpApi, input: CreateRouteRequest): Route {
  const routeKey = input.RouteKey ?? '';
  checkRoute(entry, input);
  if ([...entry.routes.values()].some((r) => r.RouteKey === routeKey))
    throw conflict(`Unable to create route ${routeKey}. A route with this key already exists for this API.`);
  const route: Route & { RouteId: string; RouteKey: string } = {
    RouteId: newId(7),
    RouteKey: routeKey,
    ApiKeyRequired: input.ApiKeyRequired ?? false,
    AuthorizationType: input.AuthorizationType ?? 'NONE',
    ...(input.AuthorizerId !== undefined ? { AuthorizerId: input.AuthorizerId } : {}),
    ...(input.AuthorizationScopes !== undefined ? { AuthorizationScopes: input.AuthorizationScopes } : {}),
    ...(input.OperationName !== undefined ? { OperationName: input.OperationName } : {}),
    ...(input.RequestParameters !== undefined ? { RequestParameters: input.RequestParameters } : {}),
    ...(input.Target !== undefined ? { Target: input.Target } : {}),
  };
  entry.routes.set(route.RouteId, route);
  return route;
}

export function addIntegration(entry: HttpApi, input: CreateIntegrationRequest): Integration {
  checkIntegration(entry, input);
  const integration: Integration & { IntegrationId: string } = {
    IntegrationId: newId(7),
    IntegrationType: input.IntegrationType,
    ConnectionType: input.ConnectionType ?? 'INTERNET',
    IntegrationMethod: input.IntegrationMethod ?? 'POST',
    TimeoutInMillis: input.TimeoutInMillis ?? 30_000,
    ...(input.IntegrationUri !== undefined ? { IntegrationUri: input.IntegrationUri } : {}),
    ...(input.PayloadFormatVersion !== undefined ? { PayloadFormatVersion: input.PayloadFormatVersion } : {}),
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    ...(input.CredentialsArn !== undefined ? { CredentialsArn: input.CredentialsArn } : {}),
    ...(input.RequestParameters !== undefined ? { RequestParameters: input.RequestParameters } : {}),
  };
  entry.integrations.set(integration.IntegrationId, integration);
  return integration;
}

/** CreateApi with a Target: the `$default` stage, a route (`$default` or RouteKey) and its Lambda proxy integration. */
export function quickCreate(entry: HttpApi, input: CreateApiRequest): void {
  const apiId = entry.api.ApiId;
  const integration = addIntegration(entry, {
    ApiId: apiId,
    IntegrationType: input.Target?.startsWith('arn:') ? 'AWS_PROXY' : 'HTTP_PROXY',
    IntegrationUri: input.Target,
    PayloadFormatVersion: '2.0',
    ...(input.CredentialsArn !== undefined ? { CredentialsArn: input.CredentialsArn } : {}),
  });
  const route = addRoute(entry, {
    ApiId: apiId,
    RouteKey: input.RouteKey ?? '$default',
    Target: `integrations/${integration.IntegrationId}`,
  });
  const stage = addStage(entry, { ApiId: apiId, StageName: '$default', AutoDeploy: true });
  for (const managed of [integration, route, stage]) managed.ApiGatewayManaged = true;
}

import { randomBytes } from 'node:crypto';
import {
  type Api,
  CreateApiCommand,
  type CreateApiRequest,
  CreateIntegrationCommand,
  type CreateIntegrationRequest,
  CreateRouteCommand,
  type CreateRouteRequest,
  CreateStageCommand,
  type CreateStageRequest,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  type Integration,
  type Route,
  type Stage,
} from '@aws-sdk/client-apigatewayv2';
import { define, OperationTable } from '../../core/operation.js';
import { paginate } from '../../core/pagination.js';
import type { Scope } from '../../core/scope.js';
import { RegionalStores } from '../../core/stores.js';
import { AwsError } from '../../http/aws-error.js';
import type { RestHandler } from '../../http/endpoint.js';
import { type RestJsonService, restJsonHandler } from '../../http/rest-json-protocol.js';
import type { Iam } from '../../iam/provider.js';
import type { Lambda } from '../lambda/provider.js';
import type { Logs } from '../logs/provider.js';
import { checkIntegration, checkRoute, checkStage } from './checks.js';
import { executeApiHandler } from './invoke.js';
import { localApiEndpoint } from './invoke-url.js';
import { ApiGatewayV2Store, type HttpApi } from './store.js';

export interface ApiGatewayV2Options {
  lambda: Lambda;
  logs: Logs;
  iam: Iam;
  /** The local endpoint, under which each API's invoke URL is served. */
  endpointUrl: string;
}

const HTTP_ROUTE_SELECTION = '$request.method $request.path';
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const badRequest = (message: string) => new AwsError('BadRequestException', message, 400);
export const notFound = (message: string) => new AwsError('NotFoundException', message, 404);
export const conflict = (message: string) => new AwsError('ConflictException', message, 409);

/** API Gateway's ids: lowercase letters and digits (10 for an API, 7 for its routes and integrations). */
export function newId(length: number): string {
  return [...randomBytes(length)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

/**
 * API Gateway v2 (HTTP APIs): the APIs, stages, routes and integrations the
 * templates define, one store per account and region; the management API
 * (restJson1, signed for `apigateway`) that reads and creates them; and each
 * API's invoke URL (execute-api), which routes requests to their Lambda
 * integrations with payload format 2.0, IAM authorization and access logs.
 */
export class ApiGatewayV2 {
  readonly stores = new RegionalStores(() => new ApiGatewayV2Store());
  /** The management API's requests (`/v2/apis…`). */
  readonly rest: RestHandler;
  /** Requests to an API's invoke URL. */
  readonly invoke: RestHandler;

  constructor(private readonly options: ApiGatewayV2Options) {
    this.rest = restJsonHandler(this.api);
    this.invoke = executeApiHandler({
      findApi: (apiId, region) => this.findApi(apiId, region),
      lambda: options.lambda,
      iam: options.iam,
      logs: options.logs,
    });
  }

  /** The URL an API is invoked at locally (GetApi's ApiEndpoint, the template's `ApiEndpoint`). */
  apiEndpoint(apiId: string): string {
    return localApiEndpoint(this.options.endpointUrl, apiId);
  }

  // --- what provisioning (and the Create* operations) make -------------------------------------------

  createApi(scope: Scope, input: CreateApiRequest): HttpApi {
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
    if (!http && input.Target !== undefined)
      throw badRequest('Quick create is supported only for HTTP APIs.');
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
    const entry: HttpApi = { scope, api, stages: new Map(), routes: new Map(), integrations: new Map() };
    this.stores.of(scope).apis.set(api.ApiId, entry);
    if (input.Target !== undefined) this.quickCreate(scope, entry, input);
    return entry;
  }

  createStage(scope: Scope, input: CreateStageRequest): Stage {
    const entry = this.httpApi(scope, input.ApiId);
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

  createRoute(scope: Scope, input: CreateRouteRequest): Route {
    const entry = this.httpApi(scope, input.ApiId);
    const routeKey = input.RouteKey ?? '';
    checkRoute(entry, input);
    if ([...entry.routes.values()].some((r) => r.RouteKey === routeKey))
      throw conflict(
        `Unable to create route ${routeKey}. A route with this key already exists for this API.`,
      );
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

  createIntegration(scope: Scope, input: CreateIntegrationRequest): Integration {
    const entry = this.httpApi(scope, input.ApiId);
    checkIntegration(entry, input);
    const integration: Integration & { IntegrationId: string } = {
      IntegrationId: newId(7),
      IntegrationType: input.IntegrationType,
      ConnectionType: input.ConnectionType ?? 'INTERNET',
      IntegrationMethod: input.IntegrationMethod ?? 'POST',
      TimeoutInMillis: input.TimeoutInMillis ?? 30_000,
      ...(input.IntegrationUri !== undefined ? { IntegrationUri: input.IntegrationUri } : {}),
      ...(input.PayloadFormatVersion !== undefined
        ? { PayloadFormatVersion: input.PayloadFormatVersion }
        : {}),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.CredentialsArn !== undefined ? { CredentialsArn: input.CredentialsArn } : {}),
      ...(input.RequestParameters !== undefined ? { RequestParameters: input.RequestParameters } : {}),
    };
    entry.integrations.set(integration.IntegrationId, integration);
    return integration;
  }

  /** The API with this id: in `region` when the request names one, else in any scope that has it. */
  findApi(apiId: string, region?: string): HttpApi | undefined {
    for (const [scope, store] of this.stores.entries()) {
      if (region !== undefined && scope.region !== region) continue;
      const api = store.apis.get(apiId);
      if (api) return api;
    }
    return undefined;
  }

  // --- the management API ------------------------------------------------------------------------------

  readonly api: RestJsonService = {
    name: 'ApiGatewayV2',
    codes: { missing: 'BadRequestException', wrongType: 'BadRequestException' },
    operations: new OperationTable([
      define(CreateApiCommand, (input, ctx) => this.apiShape(this.createApi(ctx, input))),
      define(GetApisCommand, (input, ctx) => {
        const all = [...this.stores.of(ctx).apis.values()];
        const page = this.page(all, input, 'GetApis');
        return { Items: page.items.map((a) => this.apiShape(a)), ...next(page) };
      }),
      define(GetApiCommand, (input, ctx) => this.apiShape(this.httpApi(ctx, input.ApiId))),
      define(CreateStageCommand, (input, ctx) => this.createStage(ctx, input)),
      define(GetStagesCommand, (input, ctx) => {
        const entry = this.httpApi(ctx, input.ApiId);
        const page = this.page([...entry.stages.values()], input, `GetStages:${entry.api.ApiId}`);
        return { Items: page.items, ...next(page) };
      }),
      define(GetStageCommand, (input, ctx) => {
        const entry = this.httpApi(ctx, input.ApiId);
        const stage = entry.stages.get(input.StageName ?? '');
        if (!stage) throw notFound(`Invalid stage identifier specified ${input.StageName}`);
        return stage;
      }),
      define(CreateRouteCommand, (input, ctx) => this.createRoute(ctx, input)),
      define(GetRoutesCommand, (input, ctx) => {
        const entry = this.httpApi(ctx, input.ApiId);
        const page = this.page([...entry.routes.values()], input, `GetRoutes:${entry.api.ApiId}`);
        return { Items: page.items, ...next(page) };
      }),
      define(GetRouteCommand, (input, ctx) => {
        const entry = this.httpApi(ctx, input.ApiId);
        const route = entry.routes.get(input.RouteId ?? '');
        if (!route)
          throw notFound(
            `Invalid Route identifier specified ${ctx.accountId}:${entry.api.ApiId}:${input.RouteId}`,
          );
        return route;
      }),
      define(CreateIntegrationCommand, (input, ctx) => this.createIntegration(ctx, input)),
      define(GetIntegrationsCommand, (input, ctx) => {
        const entry = this.httpApi(ctx, input.ApiId);
        const page = this.page([...entry.integrations.values()], input, `GetIntegrations:${entry.api.ApiId}`);
        return { Items: page.items, ...next(page) };
      }),
      define(GetIntegrationCommand, (input, ctx) => {
        const entry = this.httpApi(ctx, input.ApiId);
        const integration = entry.integrations.get(input.IntegrationId ?? '');
        if (!integration)
          throw notFound(
            `Invalid Integration identifier specified ${ctx.accountId}:${entry.api.ApiId}:${input.IntegrationId}`,
          );
        return integration;
      }),
    ]),
  };

  private httpApi(scope: Scope, apiId: string | undefined): HttpApi {
    const entry = this.stores.of(scope).apis.get(apiId ?? '');
    if (!entry) throw notFound(`Invalid API identifier specified ${scope.accountId}:${apiId}`);
    return entry;
  }

  private apiShape(entry: HttpApi): Api {
    return { ...entry.api, ApiEndpoint: this.apiEndpoint(entry.api.ApiId) };
  }

  /** `maxResults` is a string in this API's model; without it every item comes at once. */
  private page<T>(items: T[], input: { MaxResults?: string; NextToken?: string }, context: string) {
    const raw = input.MaxResults;
    if (raw !== undefined && !/^\d+$/.test(raw)) throw badRequest(`Invalid maxResults: ${raw.slice(0, 40)}`);
    return paginate(items, {
      token: input.NextToken,
      size: raw === undefined ? undefined : Number(raw),
      defaultSize: Math.max(items.length, 1),
      maxSize: Number.MAX_SAFE_INTEGER,
      sizeMember: 'maxResults',
      context,
      invalidToken: () => badRequest('Invalid nextToken'),
      invalidSize: (message) => badRequest(message),
    });
  }

  /** CreateApi with a Target: the `$default` stage, a route (`$default` or RouteKey) and its Lambda proxy integration. */
  private quickCreate(scope: Scope, entry: HttpApi, input: CreateApiRequest): void {
    const apiId = entry.api.ApiId;
    const integration = this.createIntegration(scope, {
      ApiId: apiId,
      IntegrationType: input.Target?.startsWith('arn:') ? 'AWS_PROXY' : 'HTTP_PROXY',
      IntegrationUri: input.Target,
      PayloadFormatVersion: '2.0',
      ...(input.CredentialsArn !== undefined ? { CredentialsArn: input.CredentialsArn } : {}),
    });
    const route = this.createRoute(scope, {
      ApiId: apiId,
      RouteKey: input.RouteKey ?? '$default',
      Target: `integrations/${integration.IntegrationId}`,
    });
    const stage = this.createStage(scope, { ApiId: apiId, StageName: '$default', AutoDeploy: true });
    for (const managed of [integration, route, stage]) managed.ApiGatewayManaged = true;
  }
}

function next(page: { nextToken?: string }): { NextToken?: string } {
  return page.nextToken ? { NextToken: page.nextToken } : {};
}

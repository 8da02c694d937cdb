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
import type { RestHandler } from '../../http/endpoint.js';
import { type RestJsonService, restJsonHandler } from '../../http/rest-json-protocol.js';
import type { Iam } from '../../iam/provider.js';
import type { Lambda } from '../lambda/provider.js';
import type { Logs } from '../logs/provider.js';
import type { InvokeKeys } from './iam-authorization.js';
import { executeApiHandler } from './invoke.js';
import { localApiEndpoint } from './invoke-url.js';
import {
  addIntegration,
  addRoute,
  addStage,
  badRequest,
  newApi,
  notFound,
  quickCreate,
} from './resources.js';
import { ApiGatewayV2Store, type HttpApi } from './store.js';

export interface ApiGatewayV2Options {
  lambda: Lambda;
  logs: Logs;
  iam: Iam;
  /** Which keys' signatures the invoke URLs verify (default: the keys IAM issued, any other is the account's). */
  keys?: InvokeKeys;
  /** The local endpoint, under which each API's invoke URL is served. */
  endpointUrl: string;
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
      keys: options.keys ?? { secretOf: (id) => options.iam.secretOf(id) },
      logs: options.logs,
    });
  }

  /** The URL an API is invoked at locally (GetApi's ApiEndpoint, the template's `ApiEndpoint`). */
  apiEndpoint(apiId: string): string {
    return localApiEndpoint(this.options.endpointUrl, apiId);
  }

  // --- what provisioning (and the Create* operations) make -------------------------------------------

  createApi(scope: Scope, input: CreateApiRequest): HttpApi {
    const entry = newApi(scope, input);
    this.stores.of(scope).apis.set(entry.api.ApiId, entry);
    if (input.Target !== undefined) quickCreate(entry, input);
    return entry;
  }

  createStage(scope: Scope, input: CreateStageRequest): Stage {
    return addStage(this.httpApi(scope, input.ApiId), input);
  }

  createRoute(scope: Scope, input: CreateRouteRequest): Route {
    return addRoute(this.httpApi(scope, input.ApiId), input);
  }

  createIntegration(scope: Scope, input: CreateIntegrationRequest): Integration {
    return addIntegration(this.httpApi(scope, input.ApiId), input);
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
}

function next(page: { nextToken?: string }): { NextToken?: string } {
  return page.nextToken ? { NextToken: page.nextToken } : {};
}

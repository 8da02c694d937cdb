import type { Api, Integration, Route, Stage } from '@aws-sdk/client-apigatewayv2';
import type { Scope } from '../../core/scope.js';

/**
 * One API with what hangs off it, held in the shapes GetApi, GetStage,
 * GetRoute and GetIntegration answer (ApiEndpoint is added when answering:
 * it depends on where the local cloud listens).
 */
export interface HttpApi {
  scope: Scope;
  api: Api & { ApiId: string; Name: string; ProtocolType: NonNullable<Api['ProtocolType']> };
  /** By stage name; `$default` is served from the API's root. */
  stages: Map<string, Stage & { StageName: string }>;
  /** By route id, in creation order. */
  routes: Map<string, Route & { RouteId: string; RouteKey: string }>;
  /** By integration id, in creation order. */
  integrations: Map<string, Integration & { IntegrationId: string }>;
}

/** API Gateway's state in one account and region: APIs by id. */
export class ApiGatewayV2Store {
  readonly apis = new Map<string, HttpApi>();
}

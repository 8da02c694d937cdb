import type {
  CreateIntegrationRequest,
  CreateRouteRequest,
  CreateStageRequest,
} from '@aws-sdk/client-apigatewayv2';
import { AwsError } from '../../http/aws-error.js';
import { logGroupOfDestination } from './access-log.js';
import { parseRouteKey } from './routes.js';
import type { HttpApi } from './store.js';

/**
 * What API Gateway refuses when a stage, route or integration is created,
 * as BadRequestException (NotFoundException for an integration a route
 * names that isn't there).
 */
const badRequest = (message: string) => new AwsError('BadRequestException', message, 400);

const STAGE_NAME = /^(\$default|[A-Za-z0-9\-._~:/?#&=,]{1,128})$/;
const AUTHORIZATION_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'JWT'];
const HTTP_INTEGRATION_TYPES = ['AWS_PROXY', 'HTTP_PROXY'];
const INTEGRATION_TYPES = ['AWS', 'HTTP', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'];

export function checkStage(input: CreateStageRequest): void {
  if (!STAGE_NAME.test(input.StageName ?? ''))
    throw badRequest(
      `Stage name "${input.StageName}" is invalid: up to 128 of A-Z a-z 0-9 - . _ ~ : / ? # & = ,`,
    );
  const logs = input.AccessLogSettings;
  if (logs && (logs.DestinationArn !== undefined || logs.Format !== undefined)) {
    if (!logs.DestinationArn || logGroupOfDestination(logs.DestinationArn) === undefined)
      throw badRequest('Access log destination must be the ARN of a CloudWatch Logs log group.');
    if (!logs.Format) throw badRequest('Access log format must be specified with a destination.');
  }
}

export function checkRoute(entry: HttpApi, input: CreateRouteRequest): void {
  const key = input.RouteKey ?? '';
  if (entry.api.ProtocolType === 'HTTP') {
    try {
      parseRouteKey(key);
    } catch (err) {
      throw badRequest(`Route key "${key}" is invalid: ${(err as Error).message}.`);
    }
  }
  const type = input.AuthorizationType ?? 'NONE';
  if (!AUTHORIZATION_TYPES.includes(type))
    throw badRequest(`Authorization type must be one of ${AUTHORIZATION_TYPES.join(', ')}.`);
  if ((type === 'JWT' || type === 'CUSTOM') && !input.AuthorizerId)
    throw badRequest(`An authorizer id is required for authorization type ${type}.`);
  const target = input.Target;
  if (target !== undefined) {
    const id = /^integrations\/([a-z0-9]+)$/.exec(target)?.[1];
    if (!id) throw badRequest(`Target must be of the form integrations/{integration-id} (got "${target}").`);
    if (!entry.integrations.has(id))
      throw new AwsError('NotFoundException', `Invalid integration identifier specified: ${id}`, 404);
  }
}

export function checkIntegration(entry: HttpApi, input: CreateIntegrationRequest): void {
  const type = input.IntegrationType ?? '';
  const allowed = entry.api.ProtocolType === 'HTTP' ? HTTP_INTEGRATION_TYPES : INTEGRATION_TYPES;
  if (!allowed.includes(type))
    throw badRequest(
      `Integration type ${type} is not supported for ${entry.api.ProtocolType} APIs: use ${allowed.join(' or ')}.`,
    );
  if ((type === 'AWS_PROXY' || type === 'HTTP_PROXY') && !input.IntegrationUri)
    throw badRequest(`An integration URI is required for ${type} integrations.`);
  if (entry.api.ProtocolType === 'HTTP' && type === 'AWS_PROXY') {
    const version = input.PayloadFormatVersion;
    if (version !== '1.0' && version !== '2.0')
      throw badRequest('PayloadFormatVersion must be 1.0 or 2.0 for Lambda proxy integrations of HTTP APIs.');
  }
  const timeout = input.TimeoutInMillis;
  if (timeout !== undefined && (timeout < 50 || timeout > 30_000) && entry.api.ProtocolType === 'HTTP')
    throw badRequest('Timeout must be between 50 milliseconds and 30 seconds.');
}

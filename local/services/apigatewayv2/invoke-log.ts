import { parseArn, scopeOfArn } from '../../core/arns.js';
import type { Logs } from '../logs/provider.js';
import { type AccessLogContext, formatAccessLog, logGroupOfDestination } from './access-log.js';
import type { Stage } from './invoke-request.js';
import { awsApiHost } from './invoke-url.js';
import type { IntegrationOutcome } from './lambda-integration.js';
import type { IamIdentity } from './proxy-event.js';
import type { HttpAnswer } from './proxy-response.js';
import type { HttpApi } from './store.js';

/** Where a request got to, for its answer and its access log line. */
export interface Outcome extends Partial<IntegrationOutcome> {
  answer: HttpAnswer;
  api?: HttpApi;
  stage?: Stage;
  routeKey?: string;
  identity?: IamIdentity;
}

/** One line in the stage's access log group, when it has one; a destination the local cloud can't write is skipped. */
export function writeAccessLog(logs: Logs, outcome: Outcome, base: AccessLogContext): void {
  const { api, stage, identity, answer } = outcome;
  const settings = stage?.AccessLogSettings;
  if (!api || !stage || !settings?.DestinationArn || !settings.Format) return;
  const group = logGroupOfDestination(settings.DestinationArn);
  const arn = parseArn(settings.DestinationArn);
  if (!group || !arn) return;
  const gatewayMessage = answer.gatewayError;
  const context: AccessLogContext = {
    ...base,
    apiId: api.api.ApiId,
    accountId: api.scope.accountId,
    stage: stage.StageName,
    routeKey: outcome.routeKey,
    domainName: awsApiHost(api.api.ApiId, api.scope.region),
    domainPrefix: api.api.ApiId,
    integrationStatus: outcome.integrationStatus,
    integrationLatency: outcome.integrationLatency,
    integrationErrorMessage: outcome.errorMessage,
    'integration.status': outcome.integrationStatus,
    'integration.latency': outcome.integrationLatency,
    'integration.error': outcome.errorMessage,
    'error.message': gatewayMessage,
    'error.messageString': gatewayMessage === undefined ? undefined : JSON.stringify(gatewayMessage),
    'identity.accountId': identity?.accountId,
    'identity.caller': identity?.callerId,
    'identity.user': identity?.userId,
    'identity.userArn': identity?.userArn,
    'identity.accessKey': identity?.accessKey,
  };
  try {
    logs.put(
      scopeOfArn(arn, api.scope),
      group,
      `${api.api.ApiId}_${stage.StageName}`,
      formatAccessLog(settings.Format, context),
    );
  } catch {
    return;
  }
}

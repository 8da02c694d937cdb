import type { Integration } from '@aws-sdk/client-apigatewayv2';
import { parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import type { Lambda } from '../lambda/provider.js';
import type { LambdaFunction } from '../lambda/store.js';
import { type ProxyEventV2, type ProxyRequest, type ProxyTarget, proxyEventV2 } from './proxy-event.js';
import { answerOfResult, gatewayAnswer, type HttpAnswer, internalServerError } from './proxy-response.js';

/** What one call of an integration gave: the answer, and what the access log's `integration*` variables say. */
export interface IntegrationOutcome {
  answer: HttpAnswer;
  /** The Lambda service's status for the call (200 when the function ran), for `$context.integrationStatus`. */
  integrationStatus?: number;
  integrationLatency?: number;
  /** Why the integration failed, for `$context.integrationErrorMessage`. */
  errorMessage?: string;
}

const API_GATEWAY = 'apigateway.amazonaws.com';
/** `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations`, REST APIs' form. */
const LAMBDA_PATH_URI = /^arn:[^:]+:apigateway:[^:]*:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

/**
 * Calls a Lambda proxy integration as API Gateway does: the function must
 * exist and let API Gateway invoke it for this route (its resource policy,
 * for `sourceArn`), gets the format 2.0 event, and its result is mapped to
 * the HTTP answer. A function that fails, is missing or refuses is a 500
 * `Internal Server Error`; one that outlives the integration's timeout, 503.
 */
export async function callLambdaIntegration(
  lambda: Lambda,
  scope: Scope,
  integration: Integration,
  call: { request: ProxyRequest; target: ProxyTarget; sourceArn: string },
): Promise<IntegrationOutcome> {
  if (integration.PayloadFormatVersion !== '2.0')
    return failed(
      `The local cloud serves payload format 2.0 only (this integration asks for ${String(integration.PayloadFormatVersion)}).`,
    );
  const uri = integration.IntegrationUri ?? '';
  const ref = LAMBDA_PATH_URI.exec(uri)?.[1] ?? uri;
  let fn: LambdaFunction;
  try {
    fn = lambda.resolve(scope, ref);
  } catch {
    return failed(`The integration's function ${ref} does not exist.`);
  }
  // An integration with a role of its own (CredentialsArn) invokes as that role, not through the function's policy.
  if (
    integration.CredentialsArn === undefined &&
    !lambda.allowsService(fn, {
      service: API_GATEWAY,
      action: 'lambda:InvokeFunction',
      sourceArn: call.sourceArn,
      sourceAccount: parseArn(call.sourceArn)?.accountId ?? scope.accountId,
    })
  )
    return failed(
      `The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again. (No statement of ${fn.arn}'s resource-based policy lets ${API_GATEWAY} invoke it for ${call.sourceArn}.)`,
    );
  const event: ProxyEventV2 = proxyEventV2(call.request, call.target);
  const started = performance.now();
  const timeoutMs = integration.TimeoutInMillis ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([lambda.invoke(scope, fn.arn, event), timedOut]);
    const integrationLatency = Math.round(performance.now() - started);
    if (result === 'timeout')
      return {
        answer: gatewayAnswer(503, 'Service Unavailable'),
        integrationLatency,
        errorMessage: `The integration did not answer within its timeout of ${timeoutMs} ms.`,
      };
    const answer = answerOfResult(result);
    if (!answer)
      return {
        answer: internalServerError(),
        integrationStatus: 200,
        integrationLatency,
        errorMessage: 'The Lambda function returned a malformed response for payload format 2.0.',
      };
    return { answer, integrationStatus: 200, integrationLatency };
  } catch (err) {
    return {
      answer: internalServerError(),
      integrationStatus: 200,
      integrationLatency: Math.round(performance.now() - started),
      errorMessage: `The Lambda function returned the following error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    };
  } finally {
    clearTimeout(timer);
  }
}

function failed(errorMessage: string): IntegrationOutcome {
  return { answer: internalServerError(), errorMessage };
}

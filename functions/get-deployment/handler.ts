import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireEnv } from '../commons/env.js';
import { type HttpResponse, httpErrorResponder, jsonResponse } from '../commons/http-responder.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import { recordStoreFromEnv } from '../commons/records.js';
import { ENV } from '../contract/environment.js';
import { STEP } from '../contract/states.js';
import { getDeployment } from './get-deployment.js';

const o = observability(STEP.getDeployment);
const deps = {
  sfn: new SFNClient(AWS_CLIENT_CONFIG),
  records: recordStoreFromEnv(new DynamoDBClient(AWS_CLIENT_CONFIG)),
  stateMachineArn: requireEnv(ENV.stateMachineArn),
};

/** GET /deployments/{id} */
export const handler = stepHandler<APIGatewayProxyEventV2, HttpResponse>(o)
  .use(httpErrorResponder(o.logger))
  .handler(async (event: APIGatewayProxyEventV2) =>
    jsonResponse(200, await getDeployment(event.pathParameters?.id ?? '', deps)),
  );

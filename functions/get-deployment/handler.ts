import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { requireEnv } from '../commons/env.js';
import { ValidationError } from '../commons/errors.js';
import { stepMiddleware } from '../commons/middleware.js';
import { RecordStore } from '../commons/records.js';
import { getDeployment } from './get-deployment.js';

const deps = {
  sfn: new SFNClient(AWS_CLIENT_CONFIG),
  records: new RecordStore(new DynamoDBClient(AWS_CLIENT_CONFIG), requireEnv('RECORDS_TABLE_NAME')),
  stateMachineArn: requireEnv('STATE_MACHINE_ARN'),
};

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** GET /deployments/{id} */
export const handler = middy<APIGatewayProxyEventV2>()
  .use(stepMiddleware('get-deployment'))
  .handler(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const id = event.pathParameters?.id ?? '';
    try {
      const view = await getDeployment(id, deps);
      return view ? json(200, view) : json(404, { error: 'NotFound', message: `No deployment ${id}` });
    } catch (err) {
      if (err instanceof ValidationError) return json(400, { error: err.name, message: err.message });
      throw err;
    }
  });

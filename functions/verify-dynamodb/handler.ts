import middy from '@middy/core';
import { stepMiddleware } from '../commons/middleware.js';
import { type VerifyDynamoInput, verifyDynamoDb } from './verify-dynamodb.js';

export const handler = middy<VerifyDynamoInput>()
  .use(stepMiddleware('verify-dynamodb'))
  .handler((event: VerifyDynamoInput) => verifyDynamoDb(event));

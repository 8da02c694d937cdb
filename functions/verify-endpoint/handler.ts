import middy from '@middy/core';
import { stepMiddleware } from '../commons/middleware.js';
import { type VerifyEndpointInput, verifyEndpoint } from './verify-endpoint.js';

export const handler = middy<VerifyEndpointInput>()
  .use(stepMiddleware('verify-endpoint'))
  .handler((event: VerifyEndpointInput) => verifyEndpoint(event));

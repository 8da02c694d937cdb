import { ECRClient } from '@aws-sdk/client-ecr';
import middy from '@middy/core';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepMiddleware } from '../commons/middleware.js';
import { type ResolveImageInput, resolveImage } from './resolve-image.js';

const deps = { ecr: new ECRClient(AWS_CLIENT_CONFIG) };

export const handler = middy<ResolveImageInput>()
  .use(stepMiddleware('resolve-image'))
  .handler((event: ResolveImageInput) => resolveImage(event, deps));

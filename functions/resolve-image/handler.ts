import { ECRClient } from '@aws-sdk/client-ecr';
import { AWS_CLIENT_CONFIG } from '../commons/aws-clients.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import type { ResolvedImage } from '../contract/shapes.js';
import { STEP } from '../contract/states.js';
import { type ResolveImageInput, resolveImage } from './resolve-image.js';

const o = observability(STEP.resolveImage);
const deps = { ecr: new ECRClient(AWS_CLIENT_CONFIG) };

export const handler = stepHandler<ResolveImageInput, ResolvedImage>(o).handler((event: ResolveImageInput) =>
  resolveImage(event, deps),
);

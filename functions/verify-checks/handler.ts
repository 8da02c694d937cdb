import { httpGet } from '../commons/http.js';
import { stepHandler } from '../commons/middleware.js';
import { observability } from '../commons/observability.js';
import type { Verification } from '../contract/shapes.js';
import { STEP } from '../contract/states.js';
import { type VerifyChecksInput, verifyChecks } from './verify-checks.js';

const o = observability(STEP.verifyChecks);
const deps = {
  get: (url: string, serverName?: string) => httpGet(url, serverName === undefined ? {} : { serverName }),
};

export const handler = stepHandler<VerifyChecksInput, Verification>(o).handler((event: VerifyChecksInput) =>
  verifyChecks(event, deps),
);

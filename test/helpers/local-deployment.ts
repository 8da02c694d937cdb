import { join } from 'node:path';
import { type Running, type StartOptions, startLocal } from '../../cli/start.js';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The main job on ephemeral ports and a scratch directory, quietly, with the
 * template's timings shortened for a quick suite (drain 2 s, poll every second).
 */
export function startTestDeployment(work: string, overrides: Partial<StartOptions> = {}): Promise<Running> {
  return startLocal({
    serviceDir: join(PROJECT_ROOT, 'service'),
    assemblyDir: join(work, 'cdk.out'),
    stateDir: join(work, 'state'),
    endpointPort: 0,
    loadBalancerPort: 0,
    reset: false,
    out: () => undefined,
    ...overrides,
    env: { STEPSHIP_DEREGISTRATION_DELAY_SECONDS: '2', STEPSHIP_ROLLOUT_POLL_SECONDS: '1', ...overrides.env },
  });
}

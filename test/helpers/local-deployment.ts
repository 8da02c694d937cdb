import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { type Running, type StartOptions, startLocal } from '../../cli/start.js';
import { loadManifest } from '../../manifest/index.js';
import type { AppModel, ServiceModel } from '../../manifest/model.js';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

/**
 * A copy of the demo's source (service/) to build from: without its
 * node_modules and dist, nor the state folder an earlier `npm start` left
 * there (its unpacked images would be built into the app).
 */
export function copyDemoService(dest: string): string {
  cpSync(join(PROJECT_ROOT, 'service'), dest, {
    recursive: true,
    filter: (src) => !/node_modules|\/dist|\/\.stepship/.test(src.slice(PROJECT_ROOT.length)),
  });
  return dest;
}

/** What a test may change of every service: any field, and the health check's grace period. */
export type ServiceOverrides = Partial<ServiceModel> & { gracePeriodSeconds?: number };

/** Timings shortened for a quick suite: 2 s draining, and what a test asks for. */
export function quickApp(app: AppModel, overrides: ServiceOverrides = {}): AppModel {
  const { gracePeriodSeconds, ...service } = overrides;
  return {
    ...app,
    services: app.services.map((s) => ({
      ...s,
      deregistrationDelaySeconds: 2,
      ...service,
      healthCheck: {
        ...s.healthCheck,
        ...service.healthCheck,
        ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      },
    })),
  };
}

/** The bundled demo (`service/`, its stepship.yml), with the suite's short timings. */
export function demoApp(service: ServiceOverrides = {}): AppModel {
  return quickApp(loadManifest(join(PROJECT_ROOT, 'service')), service);
}

/**
 * The main job on ephemeral ports and a scratch directory, quietly, with
 * short timings (drain 2 s, rollout checked every second); the demo app
 * unless the test gives its own.
 */
export function startTestDeployment(work: string, overrides: Partial<StartOptions> = {}): Promise<Running> {
  return startLocal({
    app: demoApp(),
    assemblyDir: join(work, 'cdk.out'),
    stateDir: join(work, 'state'),
    endpointPort: 0,
    loadBalancerPort: 0,
    reset: false,
    rolloutHeartbeatSeconds: 1,
    out: () => undefined,
    ...overrides,
  });
}

import type { AppModel, ServiceModel } from '../../manifest/model.js';

/** A service as the manifest loader would produce it with its defaults, overridable per test. */
export function serviceModel(name: string, overrides: Partial<ServiceModel> = {}): ServiceModel {
  return {
    name,
    image: { kind: 'build', context: `/apps/shop/${name}`, dockerfile: 'Dockerfile', args: {} },
    port: 3000,
    routing: { isDefault: false, paths: [], priority: 1 },
    healthCheck: {
      path: '/',
      intervalSeconds: 5,
      timeoutSeconds: 3,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      matcher: '200',
      gracePeriodSeconds: 15,
    },
    desiredCount: 2,
    capacity: { kind: 'fargate', providers: [] },
    cpu: 256,
    memory: 512,
    architecture: 'X86_64',
    environment: {},
    secrets: [],
    tableAccess: [],
    dependsOn: [],
    verify: { checks: [{ path: '/', status: 200, json: {} }] },
    deregistrationDelaySeconds: 10,
    stopTimeoutSeconds: 15,
    ...overrides,
  };
}

/** An app as the manifest loader would produce it. */
export function appModel(overrides: Partial<AppModel> = {}): AppModel {
  return {
    name: 'shop',
    root: '/apps/shop',
    file: '/apps/shop/stepship.yml',
    region: 'us-east-1',
    services: [serviceModel('web', { routing: { isDefault: true, paths: [], priority: 1 } })],
    tables: [],
    network: { mode: 'private', natGateways: 1 },
    deployment: { rolloutTimeoutSeconds: 900, buildPlatforms: ['linux/amd64', 'linux/arm64'] },
    logRetentionDays: 30,
    ...overrides,
  };
}

/** A frontend at `/` calling a backend at `/api/*` (health on /api/health) that reads and writes a table. */
export function frontendBackend(): AppModel {
  return appModel({
    services: [
      serviceModel('api', {
        port: 8080,
        routing: { isDefault: false, paths: ['/api/*'], priority: 10 },
        healthCheck: { ...serviceModel('x').healthCheck, path: '/api/health' },
        tableAccess: [{ table: 'items', read: true, write: true, list: false }],
        secrets: [{ name: 'API_TOKEN', source: 'ssm', reference: '/shop/api-token' }],
      }),
      serviceModel('frontend', {
        routing: { isDefault: true, paths: [], priority: 20 },
        dependsOn: ['api'],
        environment: { NODE_ENV: 'production' },
      }),
    ],
    tables: [
      {
        name: 'items',
        physicalName: 'shop-items',
        create: true,
        partitionKey: { name: 'id', type: 'S' },
      },
    ],
  });
}

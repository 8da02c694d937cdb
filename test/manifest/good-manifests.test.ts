import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { type AppModel, parseManifest, type ServiceModel } from '../../manifest/index.js';
import { appFolder, yaml } from './app-folder.js';

const folder = appFolder({
  Dockerfile: 'FROM node:24-alpine\n',
  'web/Dockerfile': 'FROM node:24-alpine\n',
  'api/Dockerfile': 'FROM node:24-alpine\n',
  'site/Dockerfile': 'FROM node:24-alpine\n',
  'save/Dockerfile': 'FROM node:24-alpine\n',
  'docker/Dockerfile.go': 'FROM golang:1.24\n',
});
afterAll(() => folder.remove());

const parse = (text: string): AppModel => parseManifest(text, 'stepship.yml', folder.root);

/** What a service gets from a manifest that says nothing but its name, image source and port. */
const defaults = {
  desiredCount: 2,
  capacity: { kind: 'fargate', providers: [] },
  cpu: 256,
  memory: 512,
  architecture: 'X86_64',
  environment: {},
  secrets: [],
  tableAccess: [],
  dependsOn: [],
  deregistrationDelaySeconds: 10,
  stopTimeoutSeconds: 15,
} satisfies Partial<ServiceModel>;

const healthCheck = (path = '/') => ({
  path,
  intervalSeconds: 5,
  timeoutSeconds: 3,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  matcher: '200',
  gracePeriodSeconds: 15,
});

const built = (context: string, args = {}) => ({
  kind: 'build' as const,
  context: join(folder.root, context),
  dockerfile: 'Dockerfile',
  args,
});

const appDefaults = {
  region: 'us-east-1',
  network: { mode: 'private', natGateways: 1 },
  deployment: { rolloutTimeoutSeconds: 900, buildPlatforms: ['linux/amd64', 'linux/arm64'] },
  logRetentionDays: 30,
} satisfies Partial<AppModel>;

describe('a good manifest', () => {
  it('sends notifications of the chosen events, by default of how deployments end', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:deployments';
    const app = (extra: string) =>
      parse(yaml('app: shop', 'services:', '  web:', '    build: .', '    port: 3000', 'deployment:', extra));
    expect(app(`  notifications: { snsTopicArn: "${topic}" }`).deployment.notifications).toEqual({
      snsTopicArn: topic,
      on: ['succeeded', 'failed', 'rolled-back'],
    });
    expect(
      app(`  notifications: { snsTopicArn: "${topic}", on: superseded }`).deployment.notifications,
    ).toEqual({
      snsTopicArn: topic,
      on: ['superseded'],
    });
    expect(
      parse(yaml('app: shop', 'services:', '  web:', '    build: .', '    port: 3000')).deployment,
    ).not.toHaveProperty('notifications');
  });

  it('of five lines describes one service with every default filled in', () => {
    const app = parse(yaml('app: shop', 'services:', '  web:', '    build: .', '    port: 3000'));
    expect(app).toEqual({
      name: 'shop',
      root: folder.root,
      file: 'stepship.yml',
      ...appDefaults,
      services: [
        {
          name: 'web',
          image: built('.'),
          port: 3000,
          routing: { isDefault: true, paths: [], priority: 0 },
          healthCheck: healthCheck(),
          verify: { checks: [{ path: '/', status: 200, json: {} }] },
          ...defaults,
        },
      ],
      tables: [],
    });
  });

  it('describes a frontend and an /api backend that writes a table', () => {
    const app = parse(
      yaml(
        'app: shop',
        'services:',
        '  web:',
        '    build: ./web',
        '    port: 3000',
        '  api:',
        '    build: ./api',
        '    port: 8080',
        '    path: /api/*',
        '    healthCheck:',
        '      path: /api/health',
        '    tables:',
        '      orders: [read, write]',
        '    environment:',
        '      TABLE_NAME: orders',
        'tables:',
        '  orders:',
        '    partitionKey: id',
      ),
    );
    expect(app.services).toEqual([
      {
        name: 'web',
        image: built('web'),
        port: 3000,
        routing: { isDefault: true, paths: [], priority: 0 },
        healthCheck: healthCheck(),
        verify: { checks: [{ path: '/', status: 200, json: {} }] },
        ...defaults,
      },
      {
        name: 'api',
        image: built('api'),
        port: 8080,
        routing: { isDefault: false, paths: ['/api/*'], priority: 10 },
        healthCheck: healthCheck('/api/health'),
        verify: { checks: [{ path: '/api/health', status: 200, json: {} }] },
        ...defaults,
        environment: { TABLE_NAME: 'orders' },
        tableAccess: [{ table: 'orders', read: true, write: true, list: false }],
      },
    ]);
    expect(app.tables).toEqual([
      {
        name: 'orders',
        physicalName: `${app.name}-orders`,
        create: true,
        partitionKey: { name: 'id', type: 'S' },
      },
    ]);
  });

  it('describes three microservices, the site built with the load balancer’s name, deployed in dependsOn order', () => {
    const app = parse(
      yaml(
        'app: micro',
        'region: eu-west-1',
        'services:',
        '  site:',
        '    build:',
        '      context: site',
        '      args:',
        '        API_URL: ${loadBalancer.url}/api',
        '        PUBLIC_HOST: ${loadBalancer.dnsName}',
        '        RELEASE: 7',
        '    port: 8080',
        '    dependsOn: [api, save]',
        '  api:',
        '    build: api',
        '    port: 3000',
        '    path: [/api, /api/*]',
        '    healthCheck: { path: /api/health, interval: 10s, timeout: 5 }',
        '    verify:',
        '      checks:',
        '        - path: /api/health',
        '          json: { status: ok, "db.tables": { contains: "${table:saves}" } }',
        '      identity: { path: /api/whoami, field: task.ip }',
        '  save:',
        '    build: save',
        '    port: 3001',
        '    path: /save/*',
        '    priority: 5',
        '    dependsOn: api',
        '    healthCheck: { path: /save/health }',
        '    tables: { saves: [read, write], audit: list }',
        '    secrets:',
        '      DB_PASSWORD: ssm:/micro/db-password',
        '      API_KEY: secretsmanager:micro/api:key',
        '      CERT: secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:micro/cert-AbCdEf',
        'tables:',
        '  saves: { partitionKey: user, sortKey: savedAt:N }',
        '  audit: { partitionKey: id, name: shared-audit, existing: true }',
        'deployment: { rolloutTimeout: 10m, buildPlatforms: linux/amd64 }',
      ),
    );
    expect(app.services.map((s) => s.name)).toEqual(['api', 'save', 'site']);
    const [api, save, site] = app.services;
    expect(site?.image).toEqual(
      built('site', {
        API_URL: { template: '${loadBalancer.url}/api', references: ['loadBalancer.url'] },
        PUBLIC_HOST: { template: '${loadBalancer.dnsName}', references: ['loadBalancer.dnsName'] },
        RELEASE: { template: '7', references: [] },
      }),
    );
    expect(site?.routing).toEqual({ isDefault: true, paths: [], priority: 0 });
    expect(site?.dependsOn).toEqual(['api', 'save']);
    expect(api?.routing).toEqual({ isDefault: false, paths: ['/api', '/api/*'], priority: 10 });
    expect(api?.healthCheck).toEqual({
      ...healthCheck('/api/health'),
      intervalSeconds: 10,
      timeoutSeconds: 5,
    });
    expect(api?.verify).toEqual({
      checks: [
        {
          path: '/api/health',
          status: 200,
          json: { status: 'ok', 'db.tables': { contains: '${table:saves}' } },
        },
      ],
      identity: { path: '/api/whoami', field: 'task.ip', kind: 'ip' },
    });
    expect(save?.routing).toEqual({ isDefault: false, paths: ['/save/*'], priority: 5 });
    expect(save?.dependsOn).toEqual(['api']);
    expect(save?.tableAccess).toEqual([
      { table: 'saves', read: true, write: true, list: false },
      { table: 'audit', read: false, write: false, list: true },
    ]);
    expect(save?.secrets).toEqual([
      { name: 'DB_PASSWORD', source: 'ssm', reference: '/micro/db-password' },
      { name: 'API_KEY', source: 'secretsmanager', reference: 'micro/api:key::' },
      {
        name: 'CERT',
        source: 'secretsmanager',
        reference: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:micro/cert-AbCdEf',
      },
    ]);
    expect(app.tables).toEqual([
      {
        name: 'saves',
        physicalName: `${app.name}-saves`,
        create: true,
        partitionKey: { name: 'user', type: 'S' },
        sortKey: { name: 'savedAt', type: 'N' },
      },
      { name: 'audit', physicalName: 'shared-audit', create: false, partitionKey: { name: 'id', type: 'S' } },
    ]);
    expect(app.region).toBe('eu-west-1');
    expect(app.deployment).toEqual({ rolloutTimeoutSeconds: 600, buildPlatforms: ['linux/amd64'] });
  });

  it('describes a non-Node service built from its own Dockerfile, sized and timed in words', () => {
    const app = parse(
      yaml(
        'app: reports',
        'services:',
        '  reports:',
        '    build: { context: ., dockerfile: docker/Dockerfile.go }',
        '    port: 8000',
        '    cpu: 0.5 vCPU',
        '    memory: 1 GB',
        '    architecture: arm64',
        '    healthCheck: { path: /healthz, matcher: 200-299, gracePeriod: 1m }',
        '    environment: { WORKERS: 4, DEBUG: false }',
        '    stopTimeout: 1m',
        '    deregistrationDelay: 0',
        '    verify: { identity: { path: /whoami, field: ip } }',
        'network: { mode: public }',
        'domain: { name: reports.example.com, hostedZone: Z0123456789ABCDEFGHIJ }',
        'logRetentionDays: 90',
      ),
    );
    expect(app.services).toEqual([
      {
        name: 'reports',
        image: { kind: 'build', context: folder.root, dockerfile: 'docker/Dockerfile.go', args: {} },
        port: 8000,
        routing: { isDefault: true, paths: [], priority: 0 },
        healthCheck: { ...healthCheck('/healthz'), matcher: '200-299', gracePeriodSeconds: 60 },
        verify: {
          checks: [{ path: '/healthz', status: 200, json: {} }],
          identity: { path: '/whoami', field: 'ip', kind: 'ip' },
        },
        ...defaults,
        cpu: 512,
        memory: 1024,
        architecture: 'ARM64',
        environment: { WORKERS: '4', DEBUG: 'false' },
        stopTimeoutSeconds: 60,
        deregistrationDelaySeconds: 0,
      },
    ]);
    expect(app.network).toEqual({ mode: 'public', natGateways: 0 });
    expect(app.domain).toEqual({
      name: 'reports.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
    });
    expect(app.logRetentionDays).toBe(90);
  });

  it('names the hosted zone by id and name, which may be the domain itself', () => {
    const zoneOf = (domain: string) =>
      parse(yaml('app: shop', 'services:', '  web: { build: ., port: 3000 }', `domain: ${domain}`)).domain;
    expect(
      zoneOf('{ name: shop.example.com, hostedZone: { id: Z1PA6795UKMFR9, name: shop.example.com } }'),
    ).toEqual({
      name: 'shop.example.com',
      hostedZoneId: 'Z1PA6795UKMFR9',
      hostedZoneName: 'shop.example.com',
    });
    // A two-label name is its own zone: there is no parent to fall back to but the top-level domain.
    expect(zoneOf('{ name: example.com, hostedZone: Z1PA6795UKMFR9 }')).toEqual({
      name: 'example.com',
      hostedZoneId: 'Z1PA6795UKMFR9',
      hostedZoneName: 'example.com',
    });
  });

  it('scales a service on Fargate Spot between min and max, starting from min', () => {
    const [web] = parse(
      yaml(
        'app: shop',
        'services:',
        '  web:',
        '    build: .',
        '    port: 3000',
        '    scaling: { min: 2, max: 6, cpu: 60, memory: 70, requestsPerTarget: 500, scaleInCooldown: 10m }',
        '    capacity:',
        '      - { provider: FARGATE_SPOT, weight: 3 }',
        '      - { provider: FARGATE, weight: 1, base: 1 }',
      ),
    ).services;
    expect(web?.desiredCount).toBe(2);
    expect(web?.scaling).toEqual({
      min: 2,
      max: 6,
      cpuPercent: 60,
      memoryPercent: 70,
      requestsPerTarget: 500,
      scaleInCooldownSeconds: 600,
      scaleOutCooldownSeconds: 60,
    });
    expect(web?.capacity).toEqual({
      kind: 'fargate',
      providers: [
        { provider: 'FARGATE_SPOT', weight: 3, base: 0 },
        { provider: 'FARGATE', weight: 1, base: 1 },
      ],
    });
  });

  it('runs a service on EC2 instances of a Graviton type when its architecture is arm64', () => {
    const [web] = parse(
      yaml(
        'app: shop',
        'services:',
        '  web:',
        '    build: .',
        '    port: 3000',
        '    architecture: arm64',
        '    capacity: { ec2: { instanceType: t4g.small, max: 3 } }',
        '    verify: { identity: { path: /whoami, field: task.arn, kind: arn } }',
      ),
    ).services;
    expect(web?.capacity).toEqual({
      kind: 'ec2',
      instanceType: 't4g.small',
      minInstances: 1,
      maxInstances: 3,
    });
    expect(web?.scaling).toBeUndefined();
  });

  it('deploys an existing image by its reference', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const app = parse(
      yaml(
        'app: edge',
        'services:',
        '  proxy:',
        `    image: public.ecr.aws/nginx/nginx:1.27@${digest}`,
        '    port: 80',
      ),
    );
    expect(app.services[0]?.image).toEqual({
      kind: 'image',
      reference: `public.ecr.aws/nginx/nginx:1.27@${digest}`,
    });
  });
});

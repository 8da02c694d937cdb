import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { appFolder, problemsOf, yaml } from './app-folder.js';

const folder = appFolder({ Dockerfile: 'FROM scratch\n' });
afterAll(() => folder.remove());

interface Expected {
  line: number;
  column: number;
  path: string;
  /** A part of the message: what is wrong, what is allowed, what was written. */
  says: string;
}

const web = ['app: shop', 'services:', '  web:', '    build: .', '    port: 3000'];

const cases: [string, string, Expected[]][] = [
  [
    'a port that is not a number',
    yaml('app: shop', 'services:', '  web:', '    build: .', '    port: http'),
    [
      {
        line: 5,
        column: 5,
        path: 'services.web.port',
        says: 'must be an integer from 1 to 65535 (got "http")',
      },
    ],
  ],
  [
    'a port out of range',
    yaml('app: shop', 'services:', '  web:', '    build: .', '    port: 70000'),
    [
      {
        line: 5,
        column: 5,
        path: 'services.web.port',
        says: 'must be an integer from 1 to 65535 (got 70000)',
      },
    ],
  ],
  [
    'a service without a port',
    yaml('app: shop', 'services:', '  web:', '    build: .'),
    [{ line: 3, column: 3, path: 'services.web.port', says: 'is required: an integer from 1 to 65535' }],
  ],
  [
    'a misspelt key',
    yaml(...web, '    desiredcount: 3'),
    [
      {
        line: 6,
        column: 5,
        path: 'services.web.desiredcount',
        says: 'unknown key; did you mean "desiredCount"? (allowed here: build, image, port,',
      },
    ],
  ],
  [
    'an unknown top-level key',
    yaml(...web, 'colour: blue'),
    [
      {
        line: 6,
        column: 1,
        path: 'colour',
        says: 'unknown key (allowed here: app, region, services, tables,',
      },
    ],
  ],
  [
    'a manifest without app',
    yaml('services:', '  web:', '    build: .', '    port: 3000'),
    [{ line: 1, column: 1, path: 'app', says: 'is required: a lowercase letter, then lowercase letters' }],
  ],
  [
    'an app without services',
    yaml('app: shop', 'services: {}'),
    [{ line: 2, column: 1, path: 'services', says: 'must name at least one service' }],
  ],
  [
    'a service name that cannot name an ECR repository',
    yaml('app: shop', 'services:', '  Web:', '    build: .', '    port: 3000'),
    [{ line: 3, column: 3, path: 'services.Web', says: 'name must be a lowercase letter' }],
  ],
  [
    'both build and image',
    yaml('app: shop', 'services:', '  web:', '    build: .', '    image: nginx:1.27', '    port: 3000'),
    [{ line: 5, column: 5, path: 'services.web.image', says: 'use either build or image, not both' }],
  ],
  [
    'neither build nor image',
    yaml('app: shop', 'services:', '  web:', '    port: 3000'),
    [{ line: 3, column: 3, path: 'services.web', says: 'needs build (a folder with a Dockerfile) or image' }],
  ],
  [
    'an image without a tag or digest',
    yaml('app: shop', 'services:', '  web:', '    image: nginx', '    port: 80'),
    [
      {
        line: 4,
        column: 5,
        path: 'services.web.image',
        says: 'must be an image reference with a tag or digest: repository:tag or repository@sha256:<64 hex digits> (got "nginx")',
      },
    ],
  ],
  [
    'a build context that does not exist',
    yaml('app: shop', 'services:', '  web:', '    build: ./missing', '    port: 3000'),
    [
      {
        line: 4,
        column: 5,
        path: 'services.web.build',
        says: `must be the build context folder, relative to stepship.yml: ${join(folder.root, 'missing')} does not exist`,
      },
    ],
  ],
  [
    'a Dockerfile that does not exist',
    yaml(
      'app: shop',
      'services:',
      '  web:',
      '    build: { context: ., dockerfile: Dockerfile.prod }',
      '    port: 3000',
    ),
    [
      {
        line: 4,
        column: 26,
        path: 'services.web.build.dockerfile',
        says: `needs a Dockerfile: ${join(folder.root, 'Dockerfile.prod')} does not exist`,
      },
    ],
  ],
  [
    'a build argument with an unknown reference',
    yaml(
      'app: shop',
      'services:',
      '  web:',
      '    build:',
      '      args:',
      '        API: ${loadBalancer.dns}',
      '    port: 3000',
    ),
    [
      {
        line: 6,
        column: 9,
        path: 'services.web.build.args.API',
        says: '${loadBalancer.dns} is not a known reference (known: ${loadBalancer.dnsName}, ${loadBalancer.url})',
      },
    ],
  ],
  [
    'two default services',
    yaml(...web, '    default: true', '  api:', '    build: .', '    port: 3001', '    default: true'),
    [
      {
        line: 10,
        column: 5,
        path: 'services.api.default',
        says: 'only one service can be the default, and services.web already is',
      },
    ],
  ],
  [
    'two services without a path',
    yaml('app: shop', 'services:', '  web: { build: ., port: 3000 }', '  api: { build: ., port: 3001 }'),
    [
      { line: 3, column: 3, path: 'services.web', says: 'needs a path (e.g. path: /web/*) or default: true' },
      { line: 4, column: 3, path: 'services.api', says: 'needs a path (e.g. path: /api/*) or default: true' },
    ],
  ],
  [
    'two rules with the same priority',
    yaml(
      ...web,
      '  api:',
      '    build: .',
      '    port: 3001',
      '    path: /api/*',
      '    priority: 7',
      '  admin:',
      '    build: .',
      '    port: 3002',
      '    path: /admin/*',
      '    priority: 7',
    ),
    [
      {
        line: 15,
        column: 5,
        path: 'services.admin.priority',
        says: 'must be unique on the listener: services.api has priority 7 too (got 7)',
      },
    ],
  ],
  [
    'a priority without a path',
    yaml(...web, '    priority: 3'),
    [
      {
        line: 6,
        column: 5,
        path: 'services.web.priority',
        says: 'applies to a path rule: add path, or remove priority',
      },
    ],
  ],
  [
    'a path pattern with characters ALB does not allow',
    yaml(
      'app: shop',
      'services:',
      '  web: { build: ., port: 3000 }',
      '  api:',
      '    build: .',
      '    port: 3001',
      '    path: /api/{id}',
    ),
    [
      {
        line: 7,
        column: 5,
        path: 'services.api.path',
        says: 'must be an ALB path pattern: "/" then up to 127 of',
      },
    ],
  ],
  [
    'a path pattern longer than 128 characters',
    yaml(...web, `    path: /${'a'.repeat(128)}`),
    [{ line: 6, column: 5, path: 'services.web.path', says: 'must be an ALB path pattern' }],
  ],
  [
    'more than five path patterns in a rule',
    yaml(...web, '    path: [/a, /b, /c, /d, /e, /f]'),
    [{ line: 6, column: 5, path: 'services.web.path', says: 'or a list of 1 to 5 of them (got a list)' }],
  ],
  [
    'a health-check timeout not below its interval',
    yaml(...web, '    healthCheck:', '      interval: 5s', '      timeout: 5'),
    [
      {
        line: 8,
        column: 7,
        path: 'services.web.healthCheck.timeout',
        says: "must be less than the health check's interval (got timeout 5 s, interval 5 s)",
      },
    ],
  ],
  [
    'a duration that is not one',
    yaml(...web, '    healthCheck:', '      interval: 10x'),
    [
      {
        line: 7,
        column: 7,
        path: 'services.web.healthCheck.interval',
        says: 'must be a duration from 5 to 300 seconds: an integer (seconds) or text such as "30s", "5m", "1m30s" (got "10x")',
      },
    ],
  ],
  [
    'a duration out of range',
    yaml(...web, '    deregistrationDelay: 2h'),
    [
      {
        line: 6,
        column: 5,
        path: 'services.web.deregistrationDelay',
        says: 'must be a duration from 0 to 3600 seconds',
      },
    ],
  ],
  [
    'a CPU size Fargate does not offer',
    yaml(...web, '    cpu: 300'),
    [{ line: 6, column: 5, path: 'services.web.cpu', says: 'must be a Fargate CPU size: 256, 512, 1024' }],
  ],
  [
    'memory that does not go with the CPU',
    yaml(...web, '    cpu: 0.25 vCPU', '    memory: 4 GB'),
    [
      {
        line: 7,
        column: 5,
        path: 'services.web.memory',
        says: 'must be a Fargate memory size for cpu 256 (0.25 vCPU): 512, 1024, 2048 MiB (got 4096 MiB)',
      },
    ],
  ],
  [
    'dependsOn naming no service',
    yaml(
      ...web,
      '    dependsOn: [aip]',
      '  api:',
      '    build: .',
      '    port: 3001',
      '    path: /api/*',
      '    healthCheck: { path: /api/health }',
    ),
    [
      {
        line: 6,
        column: 17,
        path: 'services.web.dependsOn[0]',
        says: 'names no service; did you mean "api"? (services: web, api) (got "aip")',
      },
    ],
  ],
  [
    'a dependsOn cycle',
    yaml(
      'app: shop',
      'services:',
      '  site:',
      '    build: .',
      '    port: 3000',
      '    dependsOn: api',
      '  api:',
      '    build: .',
      '    port: 3001',
      '    path: /api/*',
      '    healthCheck: { path: /api/health }',
      '    dependsOn: save',
      '  save:',
      '    build: .',
      '    port: 3002',
      '    path: /save/*',
      '    healthCheck: { path: /save/health }',
      '    dependsOn: site',
    ),
    [
      {
        line: 6,
        column: 5,
        path: 'services.site.dependsOn',
        says: 'forms a cycle: site → api → save → site',
      },
    ],
  ],
  [
    'a service that depends on itself',
    yaml(...web, '    dependsOn: [web]'),
    [{ line: 6, column: 17, path: 'services.web.dependsOn[0]', says: 'a service cannot depend on itself' }],
  ],
  [
    'access to a table the app does not declare',
    yaml(...web, '    tables:', '      orders: [read]'),
    [
      {
        line: 7,
        column: 7,
        path: 'services.web.tables.orders',
        says: 'names no table of the app (tables: none; declare it under tables)',
      },
    ],
  ],
  [
    'an access right that does not exist',
    yaml(...web, '    tables:', '      orders: [read, wirte]', 'tables:', '  orders: { partitionKey: id }'),
    [
      {
        line: 7,
        column: 22,
        path: 'services.web.tables.orders[1]',
        says: 'must be one of read, write, list (got "wirte")',
      },
    ],
  ],
  [
    'a check naming an unknown table',
    yaml(
      ...web,
      '    verify:',
      '      checks:',
      '        - path: /db',
      '          json:',
      '            tables: { contains: "${table:order}" }',
      'tables:',
      '  orders: { partitionKey: id }',
    ),
    [
      {
        line: 10,
        column: 13,
        path: 'services.web.verify.checks[0].json.tables',
        says: '${table:order} names no table; did you mean "orders"? (tables: orders)',
      },
    ],
  ],
  [
    'a check the load balancer sends to another service',
    yaml(
      'app: shop',
      'services:',
      '  web: { build: ., port: 3000 }',
      '  api:',
      '    build: .',
      '    port: 3001',
      '    path: /api/*',
      '    verify:',
      '      checks:',
      '        - path: /health',
    ),
    [
      {
        line: 10,
        column: 11,
        path: 'services.api.verify.checks[0].path',
        says: "must be a path the load balancer routes to api: /health reaches services.web; api's path patterns are /api/*",
      },
    ],
  ],
  [
    'a default health check the load balancer sends to another service',
    yaml(
      'app: shop',
      'services:',
      '  web: { build: ., port: 3000 }',
      '  api:',
      '    build: .',
      '    port: 3001',
      '    path: /api/*',
    ),
    [
      {
        line: 4,
        column: 3,
        path: 'services.api.healthCheck.path',
        says: "/ reaches services.web; api's path patterns are /api/* (verification requests the health-check path when verify.checks is not given)",
      },
    ],
  ],
  [
    'an identity check with one task',
    yaml(...web, '    desiredCount: 1', '    verify:', '      identity: { path: /status, field: taskIP }'),
    [
      {
        line: 8,
        column: 7,
        path: 'services.web.verify.identity',
        says: 'needs desiredCount of at least 2, to see several distinct tasks answer (got desiredCount 1)',
      },
    ],
  ],
  [
    'a secret that is also a plain variable',
    yaml(
      ...web,
      '    environment: { DB_PASSWORD: x }',
      '    secrets:',
      '      DB_PASSWORD: ssm:/shop/db-password',
    ),
    [
      {
        line: 8,
        column: 7,
        path: 'services.web.secrets.DB_PASSWORD',
        says: 'is also in environment: a variable is either plain (environment) or secret (secrets), not both',
      },
    ],
  ],
  [
    'a secret from an unknown store',
    yaml(...web, '    secrets:', '      TOKEN: vault:shop/token'),
    [
      {
        line: 7,
        column: 7,
        path: 'services.web.secrets.TOKEN',
        says: 'must be ssm:<parameter name or ARN>, or secretsmanager:<secret ARN or name>, optionally followed by :<json-key> (got "vault:shop/token")',
      },
    ],
  ],
  [
    'an environment value that is a list',
    yaml(...web, '    environment:', '      PORTS: [1, 2]'),
    [
      {
        line: 7,
        column: 7,
        path: 'services.web.environment.PORTS',
        says: 'must be text, a number or true/false (got a list)',
      },
    ],
  ],
  [
    'a key attribute of an unknown type',
    yaml(...web, 'tables:', '  orders:', '    partitionKey: id:X'),
    [
      {
        line: 8,
        column: 5,
        path: 'tables.orders.partitionKey',
        says: 'optionally typed name:S, name:N or name:B (got "id:X")',
      },
    ],
  ],
  [
    'a notification topic that is not an SNS topic ARN',
    yaml(...web, 'deployment:', '  notifications: { snsTopicArn: arn:aws:sqs:us-east-1:123456789012:q }'),
    [
      {
        line: 7,
        column: 20,
        path: 'deployment.notifications.snsTopicArn',
        says: 'must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:deployments (got "arn:aws:sqs:us-east-1:123456789012:q")',
      },
    ],
  ],
  [
    'ARM64 tasks without an arm64 build',
    yaml(...web, '    architecture: arm64', 'deployment:', '  buildPlatforms: linux/amd64'),
    [
      {
        line: 6,
        column: 5,
        path: 'services.web.architecture',
        says: 'ARM64 tasks need linux/arm64 in deployment.buildPlatforms (got linux/amd64)',
      },
    ],
  ],
  [
    'a log retention CloudWatch does not offer',
    yaml(...web, 'logRetentionDays: 31'),
    [
      {
        line: 6,
        column: 1,
        path: 'logRetentionDays',
        says: "must be one of CloudWatch's retention periods: 1, 3, 5, 7, 14, 30, 60, 90",
      },
    ],
  ],
  [
    'NAT gateways in public mode',
    yaml(
      ...web,
      '    verify: { identity: { path: /, field: ip } }',
      'network:',
      '  mode: public',
      '  natGateways: 1',
    ),
    [{ line: 9, column: 3, path: 'network.natGateways', says: 'must be 0 in public mode' }],
  ],
  [
    'a domain outside its hosted zone',
    yaml(
      ...web,
      'domain:',
      '  name: shop.example.com',
      '  hostedZone: { id: Z0123456789ABCDEFGHIJ, name: example.org }',
    ),
    [
      {
        line: 8,
        column: 44,
        path: 'domain.hostedZone.name',
        says: 'must be shop.example.com or a parent domain of it, where its DNS record is created (got "example.org")',
      },
    ],
  ],
  [
    'a domain whose hosted zone is named but has no id',
    yaml(...web, 'domain:', '  name: shop.example.com', '  hostedZone: example.com'),
    [
      {
        line: 8,
        column: 3,
        path: 'domain.hostedZone',
        says: 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (the zone\'s page in the console shows it), or { id, name }: stepship names the zone by its id, as it synthesizes without looking anything up (got "example.com")',
      },
    ],
  ],
  [
    'a domain given as a name alone',
    yaml(...web, 'domain: shop.example.com'),
    [{ line: 6, column: 1, path: 'domain', says: 'must be a map with the keys name, hostedZone' }],
  ],
  [
    'a domain without its hosted zone',
    yaml(...web, 'domain: { name: shop.example.com }'),
    [{ line: 6, column: 1, path: 'domain.hostedZone', says: 'is required: a Route 53 hosted zone id' }],
  ],
  [
    'a hosted zone id in lowercase',
    yaml(...web, 'domain: { name: shop.example.com, hostedZone: { id: z0123, name: example.com } }'),
    [
      {
        line: 6,
        column: 49,
        path: 'domain.hostedZone.id',
        says: 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (the zone\'s page in the console shows it) (got "z0123")',
      },
    ],
  ],
  [
    'scaling whose max is below its min',
    yaml(...web, '    scaling: { min: 3, max: 2, cpu: 60 }'),
    [
      {
        line: 6,
        column: 24,
        path: 'services.web.scaling.max',
        says: 'must be at least scaling.min (got max 2, min 3)',
      },
    ],
  ],
  [
    'scaling with nothing to track',
    yaml(...web, '    scaling: { min: 2, max: 4 }'),
    [
      {
        line: 6,
        column: 5,
        path: 'services.web.scaling',
        says: 'needs a target to track: cpu (e.g. 60), memory (e.g. 70) or requestsPerTarget (e.g. 500)',
      },
    ],
  ],
  [
    'scaling beside a fixed desiredCount',
    yaml(...web, '    desiredCount: 3', '    scaling: { min: 2, max: 4, cpu: 60 }'),
    [
      {
        line: 6,
        column: 5,
        path: 'services.web.desiredCount',
        says: 'conflicts with scaling: remove it; scaling.min is the count a new service starts from',
      },
    ],
  ],
  [
    'scaling targets and cooldowns out of range',
    yaml(
      ...web,
      '    scaling:',
      '      min: 0',
      '      max: 4',
      '      cpu: 150',
      '      scaleInCooldown: 2h',
    ),
    [
      {
        line: 7,
        column: 7,
        path: 'services.web.scaling.min',
        says: 'must be an integer from 1 to 100 (got 0)',
      },
      {
        line: 9,
        column: 7,
        path: 'services.web.scaling.cpu',
        says: 'must be an integer from 1 to 100 (got 150)',
      },
      {
        line: 10,
        column: 7,
        path: 'services.web.scaling.scaleInCooldown',
        says: 'must be a duration from 0 to 3600 seconds',
      },
    ],
  ],
  [
    'a misspelt scaling key',
    yaml(...web, '    scaling: { min: 2, max: 4, cpuPercent: 60 }'),
    [
      {
        line: 6,
        column: 32,
        path: 'services.web.scaling.cpuPercent',
        says: 'unknown key (allowed here: min, max, cpu, memory, requestsPerTarget, scaleInCooldown, scaleOutCooldown)',
      },
    ],
  ],
  [
    'identity with a scaling minimum of one task',
    yaml(
      ...web,
      '    scaling: { min: 1, max: 4, cpu: 60 }',
      '    verify: { identity: { path: /, field: ip } }',
    ),
    [
      {
        line: 7,
        column: 15,
        path: 'services.web.verify.identity',
        says: 'needs scaling.min of at least 2, to see several distinct tasks answer (got scaling.min 1)',
      },
    ],
  ],
  [
    'a capacity provider ECS does not have',
    yaml(...web, '    capacity: [{ provider: SPOT }]'),
    [
      {
        line: 6,
        column: 18,
        path: 'services.web.capacity[0].provider',
        says: 'must be one of FARGATE, FARGATE_SPOT (got "SPOT")',
      },
    ],
  ],
  [
    'a capacity provider strategy ECS refuses',
    yaml(
      ...web,
      '    capacity:',
      '      - { provider: FARGATE_SPOT, weight: 0, base: 1 }',
      '      - { provider: FARGATE_SPOT, weight: 0, base: 2 }',
    ),
    [
      {
        line: 6,
        column: 5,
        path: 'services.web.capacity',
        says: 'needs a weight above 0 on at least one provider',
      },
      {
        line: 8,
        column: 11,
        path: 'services.web.capacity[1].provider',
        says: 'is listed more than once: each provider appears once (got FARGATE_SPOT)',
      },
      {
        line: 8,
        column: 46,
        path: 'services.web.capacity[1].base',
        says: 'must be 0: only one provider of a strategy can have a base, and capacity[0] has one (got 2)',
      },
    ],
  ],
  [
    'an empty capacity list',
    yaml(...web, '    capacity: []'),
    [{ line: 6, column: 5, path: 'services.web.capacity', says: 'must name at least one provider' }],
  ],
  [
    'EC2 capacity with an instance type that is not one, and too few instances',
    yaml(...web, '    capacity: { ec2: { instanceType: small, min: 2, max: 0 } }'),
    [
      {
        line: 6,
        column: 24,
        path: 'services.web.capacity.ec2.instanceType',
        says: 'must be an EC2 instance type such as t3.small or m7g.large (got "small")',
      },
      {
        line: 6,
        column: 53,
        path: 'services.web.capacity.ec2.max',
        says: 'must be an integer from 1 to 100 (got 0)',
      },
    ],
  ],
  [
    'EC2 capacity whose instances are of another architecture than the tasks',
    yaml(
      ...web,
      '    capacity: { ec2: { instanceType: t4g.small, max: 2 } }',
      '    verify: { identity: { path: /, field: task, kind: arn } }',
    ),
    [
      {
        line: 6,
        column: 24,
        path: 'services.web.capacity.ec2.instanceType',
        says: "is an arm64 instance type, but the service's architecture is x86_64: choose an x86_64 type (t3.small) or set architecture: arm64",
      },
    ],
  ],
  [
    'EC2 capacity with fewer instances at most than at least',
    yaml(
      ...web,
      '    capacity: { ec2: { instanceType: t3.small, min: 3, max: 2 } }',
      '    verify: { identity: { path: /, field: task, kind: arn } }',
    ),
    [
      {
        line: 6,
        column: 56,
        path: 'services.web.capacity.ec2.max',
        says: 'must be at least capacity.ec2.min (got max 2, min 3)',
      },
    ],
  ],
  [
    'EC2 capacity without an identity route',
    yaml(...web, '    capacity: { ec2: { instanceType: t3.small, max: 2 } }'),
    [
      {
        line: 3,
        column: 3,
        path: 'services.web.verify',
        says: 'needs identity with kind: arn on EC2 capacity',
      },
    ],
  ],
  [
    'EC2 capacity with an identity route that names IPs',
    yaml(
      ...web,
      '    capacity: { ec2: { instanceType: t3.small, max: 2 } }',
      '    verify: { identity: { path: /, field: ip } }',
    ),
    [
      {
        line: 7,
        column: 15,
        path: 'services.web.verify.identity.kind',
        says: 'must be arn on EC2 capacity: a task in bridge mode answers from a bridge address',
      },
    ],
  ],
  [
    'a service without an identity route in network mode public',
    yaml(...web, 'network: { mode: public }'),
    [
      {
        line: 3,
        column: 3,
        path: 'services.web.verify',
        says: 'needs identity in network mode public: without NAT the verify step runs outside the VPC',
      },
    ],
  ],
  [
    'a region that is not one',
    yaml('app: shop', 'region: Frankfurt', 'services:', '  web: { build: ., port: 3000 }'),
    [
      {
        line: 2,
        column: 1,
        path: 'region',
        says: 'must be an AWS region such as us-east-1 (got "Frankfurt")',
      },
    ],
  ],
  [
    'a service named twice',
    yaml('app: shop', 'services:', '  web: { build: ., port: 3000 }', '  web: { build: ., port: 3001 }'),
    [{ line: 4, column: 3, path: '', says: 'this key appears twice in the same map' }],
  ],
];

describe('a manifest with a problem', () => {
  it.each(cases)(
    'is refused for %s, naming the line, the key path and what is allowed',
    (_, text, expected) => {
      expect(problemsOf(text, folder.root)).toEqual(
        expected.map(({ line, column, path, says }) => ({
          file: 'stepship.yml',
          line,
          column,
          path,
          message: expect.stringContaining(says),
        })),
      );
    },
  );
});

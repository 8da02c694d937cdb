import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { manifestJsonSchema } from '../../manifest/json-schema.js';

const committedPath = new URL('../../manifest/stepship.schema.json', import.meta.url);
const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as Record<string, unknown>;

/** Which documents an independent validator (Python's jsonschema, Draft 7) accepts. */
function acceptedByJsonSchema(documents: unknown[]): boolean[] {
  const script = [
    'import json, sys',
    'from jsonschema import Draft7Validator',
    'given = json.load(sys.stdin)',
    'validator = Draft7Validator(given["schema"])',
    'print(json.dumps([validator.is_valid(d) for d in given["documents"]]))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], {
    input: JSON.stringify({ schema: committed, documents }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`python3 jsonschema failed: ${run.stderr || run.error}`);
  return JSON.parse(run.stdout) as boolean[];
}

describe('the published JSON Schema', () => {
  it('is the one generated from the zod schema (run npm run manifest:schema after changing it)', () => {
    expect(committed).toEqual(manifestJsonSchema());
  });

  it('accepts what the manifest accepts, in the forms users write', () => {
    const documents = [
      'app: shop\nservices:\n  web:\n    build: .\n    port: 3000\n',
      [
        'app: micro',
        'services:',
        '  site:',
        '    build: { context: site, args: { API_URL: "${loadBalancer.url}/api", RELEASE: 7 } }',
        '    port: 8080',
        '    cpu: 0.5 vCPU',
        '    memory: 1 GB',
        '    architecture: arm64',
        '    healthCheck: { path: /health, interval: 10s, timeout: 5, matcher: 200-299 }',
        '    environment: { WORKERS: 4, DEBUG: false }',
        '    secrets: { TOKEN: "secretsmanager:micro/api:key" }',
        '    tables: { saves: [read, write], audit: list }',
        '    dependsOn: api',
        '    verify:',
        '      checks: [{ path: /health, json: { status: ok, tables: { contains: "${table:saves}" } } }]',
        '      identity: { path: /whoami, field: task.ip }',
        '  api:',
        '    image: "nginx:1.27"',
        '    port: 80',
        '    path: [/api, /api/*]',
        '    priority: 5',
        '    scaling: { min: 2, max: 6, cpu: 60, requestsPerTarget: 500, scaleInCooldown: 5m }',
        '    capacity: [{ provider: FARGATE_SPOT, weight: 3 }, { provider: FARGATE, base: 1 }]',
        '    verify: { identity: { path: /api/whoami, field: ip } }',
        '  worker:',
        '    image: "nginx:1.27"',
        '    port: 81',
        '    path: /worker/*',
        '    capacity: { ec2: { instanceType: t3.small, max: 3 } }',
        '    verify: { identity: { path: /worker/whoami, field: task, kind: arn } }',
        'tables:',
        '  saves: { partitionKey: user, sortKey: "savedAt:N" }',
        '  audit: { partitionKey: id, name: shared-audit, existing: true }',
        'network: { mode: public, natGateways: 0 }',
        'domain: { name: shop.example.com, hostedZone: Z0123456789ABCDEFGHIJ }',
        'deployment: { rolloutTimeout: 10m, buildPlatforms: [linux/amd64] }',
        'logRetentionDays: 90',
      ].join('\n'),
    ].map((text) => parse(text) as unknown);
    expect(acceptedByJsonSchema(documents)).toEqual([true, true]);
  });

  it('flags unknown keys, wrong types and values outside the allowed patterns', () => {
    const documents = [
      'app: shop\nservices:\n  web:\n    build: .\n    prot: 3000\n',
      'app: shop\nservices:\n  web:\n    build: .\n    port: http\n',
      'app: Shop\nservices:\n  web:\n    build: .\n    port: 3000\n',
      'app: shop\nservices:\n  web:\n    image: nginx\n    port: 80\n',
      'app: shop\nservices: {}\n',
      'app: shop\nservices:\n  web:\n    build: .\n    port: 3000\nlogRetentionDays: 31\n',
      'app: shop\nservices:\n  web:\n    build: .\n    port: 3000\n    capacity: [{ provider: SPOT }]\n',
      'app: shop\nservices:\n  web:\n    build: .\n    port: 3000\n    scaling: { min: 1, max: 2, cpuPercent: 60 }\n',
      'app: shop\nservices:\n  web:\n    build: .\n    port: 3000\ndomain: { name: shop.example.com, hostedZone: example.com }\n',
    ].map((text) => parse(text) as unknown);
    expect(acceptedByJsonSchema(documents)).toEqual(documents.map(() => false));
  });
});

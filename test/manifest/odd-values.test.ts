import { afterAll, describe, expect, it } from '@jest/globals';
import { Document, isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import { ManifestError, parseManifest } from '../../manifest/index.js';
import { appFolder } from './app-folder.js';

const folder = appFolder({ Dockerfile: 'FROM scratch\n', 'api/Dockerfile': 'FROM scratch\n' });
afterAll(() => folder.remove());

/** A manifest using every key, so that every place a value can go gets an odd one. */
const everyKey = `
app: shop
region: us-east-1
services:
  web:
    build: { context: ., dockerfile: Dockerfile, args: { URL: "\${loadBalancer.url}" } }
    port: 3000
    default: true
    healthCheck: { path: /, interval: 5, timeout: 3, healthyThreshold: 2, unhealthyThreshold: 2, matcher: "200", gracePeriod: 15 }
    desiredCount: 2
    cpu: 256
    memory: 512
    architecture: x86_64
    environment: { A: b }
    secrets: { S: "ssm:/x" }
    tables: { orders: [read] }
    deregistrationDelay: 10
    stopTimeout: 15
    verify:
      checks: [{ path: /, status: 200, json: { a: { contains: "\${table:orders}" } } }]
      identity: { path: /, field: ip, kind: ip, imageField: image }
  api:
    image: nginx:1.27
    port: 3001
    path: [/api/*]
    priority: 3
    dependsOn: [web]
    healthCheck: { path: /api/health }
    scaling: { min: 2, max: 4, cpu: 60, memory: 70, requestsPerTarget: 500, scaleInCooldown: 300, scaleOutCooldown: 60 }
    capacity: [{ provider: FARGATE_SPOT, weight: 3, base: 0 }, { provider: FARGATE, weight: 1, base: 1 }]
  worker:
    image: nginx:1.27
    port: 3002
    path: /worker/*
    healthCheck: { path: /worker/health }
    capacity: { ec2: { instanceType: t3.small, min: 1, max: 3 } }
    verify: { identity: { path: /worker/whoami, field: task, kind: arn } }
tables:
  orders: { partitionKey: id, sortKey: "at:N", name: orders-table, existing: false }
network: { mode: private, natGateways: 1 }
domain: { name: shop.example.com, hostedZone: { id: Z0123456789ABCDEFGHIJ, name: example.com } }
deployment: { rolloutTimeout: 900, buildPlatforms: [linux/amd64, linux/arm64] }
logRetentionDays: 30
`;

// JSON.parse makes __proto__ an own key, as YAML does; an object literal would set the prototype.
const ODD_VALUES: unknown[] = [null, -1, 1.5, '', '${', true, [null], JSON.parse('{"__proto__": 1}')];

/** Every key path of the document, with the path of each value. */
function valuePaths(node: Node | null, path: (string | number)[] = []): (string | number)[][] {
  if (isMap(node)) {
    return node.items.flatMap((pair) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const here = [...path, key];
      return [here, ...valuePaths(pair.value as Node | null, here)];
    });
  }
  if (isSeq(node))
    return node.items.flatMap((item, index) => [
      [...path, index],
      ...valuePaths(item as Node, [...path, index]),
    ]);
  return [];
}

describe('the loader', () => {
  it('accepts the manifest that uses every key', () => {
    expect(parseManifest(everyKey, 'stepship.yml', folder.root).services).toHaveLength(3);
  });

  it('answers any odd value anywhere with a ManifestError, never a crash', () => {
    const paths = valuePaths(parseDocument(everyKey).contents as Node);
    expect(paths.length).toBeGreaterThan(60);
    let refused = 0;
    for (const path of paths) {
      for (const odd of ODD_VALUES) {
        const doc = parseDocument(everyKey);
        doc.setIn(path, new Document(odd).contents);
        try {
          parseManifest(doc.toString(), 'stepship.yml', folder.root);
        } catch (err) {
          if (!(err instanceof ManifestError))
            throw new Error(`${path.join('.')} = ${JSON.stringify(odd)}: ${err}`);
          expect(err.problems.length).toBeGreaterThan(0);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(paths.length * 4);
  });
});

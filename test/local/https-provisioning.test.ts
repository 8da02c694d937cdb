import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';

let cloud: LocalCloud;
let elbv2: ElasticLoadBalancingV2Client;

/**
 * A one-stack cloud assembly with an HTTPS listener written before the
 * load balancer and certificate it names, as a template's key order may be.
 */
function assembly(stack: string, certificateArn: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-https-provision-'));
  const template = {
    Resources: {
      Https: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: { Ref: 'Front' },
          Port: 443,
          Protocol: 'HTTPS',
          Certificates: [{ CertificateArn: certificateArn }],
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
        },
      },
      Front: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Name: stack } },
      Certificate: {
        Type: 'AWS::CertificateManager::Certificate',
        Properties: { DomainName: 'app.example.com', ValidationMethod: 'DNS' },
      },
    },
  };
  writeFileSync(join(dir, `${stack}.template.json`), JSON.stringify(template));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      version: '48.0.0',
      artifacts: {
        [stack]: { type: 'aws:cloudformation:stack', properties: { templateFile: `${stack}.template.json` } },
      },
    }),
  );
  return dir;
}

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-https-provision-state-')),
  });
  elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: cloud.endpointUrl,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
}, 30_000);
afterAll(async () => {
  elbv2.destroy();
  await cloud.stop();
});

describe("provisioning an HTTPS listener from the template's certificate", () => {
  it('creates the certificate before the listener that refers to it, whatever the key order', async () => {
    const provisioned = await cloud.provision(assembly('Issued', { Ref: 'Certificate' }));
    const order = provisioned.resources.map((r) => r.logicalId);
    expect(order.indexOf('Certificate')).toBeLessThan(order.indexOf('Https'));
    const certificateArn = provisioned.resources.find((r) => r.logicalId === 'Certificate')?.physicalId;
    expect(certificateArn).toMatch(/^arn:aws:acm:us-east-1:\d{12}:certificate\//);
    const front = provisioned.resources.find((r) => r.logicalId === 'Front')?.physicalId;
    const listeners = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: front }));
    expect(listeners.Listeners?.map((l) => [l.Protocol, l.Certificates])).toEqual([
      ['HTTPS', [{ CertificateArn: certificateArn }]],
    ]);
  });

  it('fails, naming the listener and the certificate, when the template names one ACM never issued', async () => {
    const unknown = 'arn:aws:acm:us-east-1:000000000000:certificate/made-by-hand-elsewhere';
    await expect(cloud.provision(assembly('Unissued', unknown))).rejects.toThrow(
      `Provisioning Unissued/Https (AWS::ElasticLoadBalancingV2::Listener) failed: Certificate '${unknown}' not found`,
    );
  });
});

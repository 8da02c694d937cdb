import { describe, expect, it } from '@jest/globals';
import { notEmulatedReport } from '../../cli/start.js';
import { kindOf, typesWithReasons, whyNotEmulated } from '../../local/provision/not-emulated.js';
import {
  notEmulatedLines,
  notEmulatedSummary,
  type ProvisionedResource,
} from '../../local/provision/provisioner.js';
import { HANDLERS } from '../../local/provision/resource-handlers.js';

/** Provisioned resources of these types, `recordOnly` as the provisioner decides it (no handler). */
function resources(...types: string[]): ProvisionedResource[] {
  return types.map((type, i) => ({
    stack: 'app',
    logicalId: `R${i}`,
    type,
    physicalId: `r${i}-local`,
    recordOnly: !HANDLERS[type],
    ...(HANDLERS[type] ? {} : { notEmulated: whyNotEmulated(type) }),
  }));
}

const NETWORK = [
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::Route',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::Route53::RecordSet',
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::InstanceProfile',
];

describe('what the local cloud only records, said in one line', () => {
  it('counts the recorded resources and their types, naming the most numerous kinds first', () => {
    const provisioned = resources(...NETWORK, 'AWS::ECS::Service', 'AWS::ElasticLoadBalancingV2::Listener');
    expect(notEmulatedSummary(provisioned)).toBe(
      '10 resources of 8 types recorded, not run (networking, security groups, instances…)',
    );
  });

  it('names every kind when there are few, in the singular for one', () => {
    expect(notEmulatedSummary(resources('AWS::Route53::RecordSet'))).toBe(
      '1 resource of 1 type recorded, not run (DNS)',
    );
  });

  it('says nothing when every resource runs', () => {
    expect(notEmulatedSummary(resources('AWS::ECS::Cluster', 'AWS::ApiGatewayV2::Api'))).toBeUndefined();
    expect(notEmulatedReport(resources('AWS::ECS::Cluster'), false)).toEqual([]);
  });

  it('points to --verbose by default, and lists each type with why under it', () => {
    const provisioned = resources(...NETWORK);
    expect(notEmulatedReport(provisioned, false)).toEqual([
      '10 resources of 8 types recorded, not run (networking, security groups, instances…): `stepship start --verbose` lists them',
    ]);
    const verbose = notEmulatedReport(provisioned, true);
    expect(verbose).toEqual(notEmulatedLines(provisioned));
    expect(verbose).toHaveLength(8);
    expect(verbose).toContain(
      'AWS::EC2::Subnet ×2 not emulated locally: tasks share loopback; each gets its own 127.x address',
    );
  });

  it.each([
    ['AWS::EC2::NatGateway', 'networking'],
    ['AWS::EC2::SecurityGroupEgress', 'security groups'],
    ['AWS::IAM::InstanceProfile', 'instances'],
    ['AWS::S3::BucketPolicy', 'bucket policies'],
    ['AWS::SNS::Topic', 'SNS::Topic'],
  ])('calls %s %s', (type, kind) => {
    expect(kindOf(type)).toBe(kind);
  });

  it('gives no reason for a type the local cloud runs (API Gateway v2, Lambda permissions…)', () => {
    const stale = typesWithReasons().filter((type) => HANDLERS[type]);
    expect(stale).toEqual([]);
    expect(typesWithReasons().length).toBeGreaterThan(10);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { expect } from '@jest/globals';
import { caseBuilders } from '../case-builders.js';
import { type ClientClass, type ServiceCatalogue, tableOperations } from '../suite.js';

interface CfnFixtures {
  /** The ARN CloudFormation gave BASE. */
  baseStackId: string;
}

/** Three stacks, so that listings can be paged; BASE has three resources and exports three outputs. */
const BASE = 'ConfBase';
const STACKS = [BASE, 'ConfApp', 'ConfOther'];
const TOPICS = ['Alerts', 'Builds', 'Deploys'];
const ABSENT = 'ConfAbsent';

/** A cloud assembly as CDK writes it; CloudFormation is read-only here, its stacks come from provisioning. */
function assembly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-conformance-cfn-'));
  const base = {
    Description: 'the conformance base stack',
    // Types the local cloud records without running anything: what CloudFormation lists is the point.
    Resources: Object.fromEntries(TOPICS.map((t) => [t, { Type: 'AWS::SNS::Topic' }])),
    Outputs: Object.fromEntries(
      TOPICS.map((t) => [
        `${t}Topic`,
        { Value: { Ref: t }, Description: `the ${t} topic`, Export: { Name: `Conf-${t}` } },
      ]),
    ),
  };
  const app = {
    Resources: { Queue: { Type: 'AWS::SQS::Queue' } },
    Outputs: { AlertsTopic: { Value: { 'Fn::ImportValue': 'Conf-Alerts' } } },
  };
  const other = { Resources: { Bucket: { Type: 'AWS::SNS::Topic' } } };
  const templates = { [BASE]: base, ConfApp: app, ConfOther: other };
  for (const [name, template] of Object.entries(templates))
    writeFileSync(join(dir, `${name}.template.json`), JSON.stringify(template));
  const artifacts = Object.fromEntries(
    STACKS.map((name) => [
      name,
      {
        type: 'aws:cloudformation:stack',
        properties: { templateFile: `${name}.template.json` },
        ...(name === 'ConfApp' ? { dependencies: [BASE] } : {}),
      },
    ]),
  );
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  return dir;
}

const { fails, ok, paginates } = caseBuilders<CfnFixtures>();

export const cloudformation: ServiceCatalogue<CfnFixtures> = {
  model: 'cloudformation',
  client: CloudFormationClient as unknown as ClientClass,
  emulated: (cloud) => tableOperations(cloud.cloudformation.api),

  async setup({ cloud, prepare }) {
    await cloud.provision(assembly());
    const { Stacks = [] } = await prepare(DescribeStacksCommand, { StackName: BASE });
    return { baseStackId: Stacks[0]?.StackId ?? '' };
  },

  cases: [
    ok(DescribeStacksCommand, 'describes a stack by name, with its outputs', { StackName: BASE }, (out) => {
      expect(out.Stacks?.[0]).toMatchObject({
        StackName: BASE,
        StackStatus: 'CREATE_COMPLETE',
        Description: 'the conformance base stack',
      });
      expect(out.Stacks?.[0]?.Outputs?.map((o) => o.ExportName).sort()).toEqual(
        TOPICS.map((t) => `Conf-${t}`),
      );
    }),
    ok(
      DescribeStacksCommand,
      'describes a stack by its ARN',
      (f) => ({ StackName: f.baseStackId }),
      (out, f) => expect(out.Stacks?.[0]?.StackId).toBe(f.baseStackId),
    ),
    ok(DescribeStacksCommand, 'describes every stack', {}, (out) =>
      expect(out.Stacks?.map((s) => s.StackName).sort()).toEqual([...STACKS].sort()),
    ),
    fails(DescribeStacksCommand, 'an unknown stack', { StackName: ABSENT }, 'ValidationError'),
    ...paginates(DescribeStacksCommand, {}, { pageSize: false }),
    ok(ListStacksCommand, 'lists stacks', {}, (out) =>
      expect(out.StackSummaries?.map((s) => s.StackName).sort()).toEqual([...STACKS].sort()),
    ),
    ok(ListStacksCommand, 'lists stacks by status', { StackStatusFilter: ['DELETE_COMPLETE'] }, (out) =>
      expect(out.StackSummaries).toEqual([]),
    ),
    ...paginates(ListStacksCommand, {}, { pageSize: false }),
    ok(DescribeStackResourcesCommand, 'describes a stack’s resources', { StackName: BASE }, (out) =>
      expect(out.StackResources?.map((r) => r.LogicalResourceId)).toEqual(TOPICS),
    ),
    ok(
      DescribeStackResourcesCommand,
      'finds a resource’s stack by its physical id',
      { PhysicalResourceId: 'queue-local' },
      (out) =>
        expect(out.StackResources?.map((r) => [r.StackName, r.LogicalResourceId])).toEqual([
          ['ConfApp', 'Queue'],
        ]),
    ),
    fails(
      DescribeStackResourcesCommand,
      'a physical id no stack holds',
      { PhysicalResourceId: 'conf-absent-local' },
      'ValidationError',
    ),
    fails(DescribeStackResourcesCommand, 'neither a stack nor a resource', {}, 'ValidationError'),
    fails(DescribeStackResourcesCommand, 'an unknown stack', { StackName: ABSENT }, 'ValidationError'),
    ok(ListStackResourcesCommand, 'lists a stack’s resources', { StackName: BASE }, (out) =>
      expect(out.StackResourceSummaries?.map((r) => r.ResourceType)).toEqual(
        TOPICS.map(() => 'AWS::SNS::Topic'),
      ),
    ),
    fails(ListStackResourcesCommand, 'an unknown stack', { StackName: ABSENT }, 'ValidationError'),
    ...paginates(ListStackResourcesCommand, { StackName: BASE }, { pageSize: false }),
    ok(GetTemplateCommand, 'returns a stack’s template', { StackName: BASE }, (out) =>
      expect(JSON.parse(out.TemplateBody ?? '{}').Description).toBe('the conformance base stack'),
    ),
    fails(GetTemplateCommand, 'an unknown stack', { StackName: ABSENT }, 'ValidationError'),
    fails(
      GetTemplateCommand,
      'a change set that does not exist',
      { StackName: BASE, ChangeSetName: 'conf-changes' },
      'ChangeSetNotFound',
    ),
    ok(ListExportsCommand, 'lists exports', {}, (out) =>
      expect(out.Exports?.map((e) => e.Name).sort()).toEqual(TOPICS.map((t) => `Conf-${t}`)),
    ),
    ...paginates(ListExportsCommand, {}, { pageSize: false }),
  ],
};

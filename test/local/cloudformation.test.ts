import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS, LocalCloud } from '../../local/cloud.js';

let cloud: LocalCloud;
let cfn: CloudFormationClient;

/** A two-stack cloud assembly as CDK writes it: the second imports the first's export. */
function assembly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepship-cfn-'));
  const base = {
    Description: 'the base stack',
    Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/cfn/test' } } },
    Outputs: {
      LogGroupName: { Value: { Ref: 'Logs' }, Description: 'where logs go', Export: { Name: 'Base-Logs' } },
    },
  };
  const app = {
    Resources: {
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: 'cfn-table',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        },
      },
    },
    Outputs: {
      Imported: { Value: { 'Fn::ImportValue': 'Base-Logs' } },
      TableName: { Value: { Ref: 'Table' } },
    },
  };
  writeFileSync(join(dir, 'Base.template.json'), JSON.stringify(base));
  writeFileSync(join(dir, 'App.template.json'), JSON.stringify(app));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      version: '48.0.0',
      artifacts: {
        Base: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Base.template.json' } },
        App: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'App.template.json' },
          dependencies: ['Base'],
        },
      },
    }),
  );
  return dir;
}

beforeAll(async () => {
  cloud = await LocalCloud.start({
    endpointPort: 0,
    loadBalancerPort: 0,
    stateDir: mkdtempSync(join(tmpdir(), 'stepship-cfn-state-')),
  });
  cfn = new CloudFormationClient({
    endpoint: cloud.endpointUrl,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  await cloud.provision(assembly());
}, 30_000);
afterAll(async () => {
  cfn.destroy();
  await cloud.stop();
});

describe('CloudFormation describes what provisioning created, as on AWS', () => {
  it('answers DescribeStacks with the resolved outputs, so tools find resources the way they do on AWS', async () => {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'App' }));
    expect(Stacks?.[0]).toMatchObject({
      StackName: 'App',
      StackStatus: 'CREATE_COMPLETE',
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:\d{12}:stack\/App\//),
    });
    expect(Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]))).toEqual(
      {
        Imported: '/cfn/test',
        TableName: 'cfn-table',
      },
    );
    const base = (await cfn.send(new DescribeStacksCommand({ StackName: 'Base' }))).Stacks?.[0];
    expect(base).toMatchObject({
      Description: 'the base stack',
      Outputs: [{ OutputKey: 'LogGroupName', Description: 'where logs go', ExportName: 'Base-Logs' }],
    });
  });

  it('lists stacks, their resources and exports, and returns the template', async () => {
    expect(
      (await cfn.send(new ListStacksCommand({}))).StackSummaries?.map((s) => s.StackName).sort(),
    ).toEqual(['App', 'Base']);
    const resources = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'App' }));
    expect(resources.StackResources).toEqual([
      expect.objectContaining({
        LogicalResourceId: 'Table',
        PhysicalResourceId: 'cfn-table',
        ResourceType: 'AWS::DynamoDB::Table',
        ResourceStatus: 'CREATE_COMPLETE',
      }),
    ]);
    expect((await cfn.send(new ListExportsCommand({}))).Exports).toEqual([
      expect.objectContaining({ Name: 'Base-Logs', Value: '/cfn/test' }),
    ]);
    const template = JSON.parse(
      (await cfn.send(new GetTemplateCommand({ StackName: 'Base' }))).TemplateBody ?? '{}',
    );
    expect(template.Description).toBe('the base stack');
  });

  it('answers a stack that does not exist as AWS does', async () => {
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'Nope' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id Nope does not exist',
    });
  });
});

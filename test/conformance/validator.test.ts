import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BotocoreValidator } from './botocore-validator.js';

// The validator itself, fed hand-written answers (no local cloud, no sockets):
// what it passes must be right, and each kind of violation must be caught.
let validator: BotocoreValidator;
beforeAll(() => {
  validator = BotocoreValidator.start();
});
afterAll(() => validator.close());

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'r-1' };
const JSON_10 = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r-1' };
const XML = { 'content-type': 'text/xml' };
const ELB_NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const elbResult = (operation: string, result: string) =>
  Buffer.from(
    `<${operation}Response xmlns="${ELB_NS}"><${operation}Result>${result}</${operation}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${operation}Response>`,
  );
const elbError = (code: string, type = 'Sender', message = 'm') =>
  Buffer.from(
    `<ErrorResponse xmlns="${ELB_NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  );
const targetGroup = (members: string) =>
  `<TargetGroups><member><TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/1</TargetGroupArn>${members}</member></TargetGroups>`;

interface Row {
  what: string;
  service: string;
  operation: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const conforming: Row[] = [
  {
    what: 'an ECS list with a token',
    service: 'ecs',
    operation: 'ListClusters',
    status: 200,
    headers: JSON_11,
    body: json({ clusterArns: ['arn:aws:ecs:us-east-1:1:cluster/a'], nextToken: 't' }),
  },
  {
    what: 'an ECS service with epoch-second timestamps and a modeled enum',
    service: 'ecs',
    operation: 'DescribeServices',
    status: 200,
    headers: JSON_11,
    body: json({
      services: [{ serviceName: 'web', launchType: 'FARGATE', createdAt: 1767225600.5 }],
      failures: [],
    }),
  },
  {
    what: 'a declared ECS error',
    service: 'ecs',
    operation: 'DescribeServices',
    status: 400,
    headers: { ...JSON_11, 'x-amzn-errortype': 'ClusterNotFoundException' },
    body: json({ __type: 'ClusterNotFoundException', message: 'Cluster not found.' }),
  },
  {
    what: 'a common error any operation may answer',
    service: 'ecs',
    operation: 'ListClusters',
    status: 400,
    headers: JSON_11,
    body: json({ __type: 'ValidationException', message: 'bad' }),
  },
  {
    what: 'a Step Functions answer with its required members',
    service: 'stepfunctions',
    operation: 'StartExecution',
    status: 200,
    headers: JSON_10,
    body: json({ executionArn: 'arn:aws:states:us-east-1:1:execution:m:e', startDate: 1767225600 }),
  },
  {
    what: 'an awsQuery result with lists as <member>, ISO timestamps and booleans',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 200,
    headers: XML,
    body: elbResult(
      'DescribeTargetGroups',
      targetGroup('<Port>80</Port><HealthCheckEnabled>true</HealthCheckEnabled>'),
    ),
  },
  {
    what: 'an awsQuery error with the code the model gives',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 400,
    headers: XML,
    body: elbError('TargetGroupNotFound'),
  },
  {
    what: 'a Lambda invocation answered with a function error header',
    service: 'lambda',
    operation: 'Invoke',
    status: 200,
    headers: {
      'x-amzn-requestid': 'r-1',
      'x-amz-function-error': 'Unhandled',
      'x-amz-executed-version': '$LATEST',
    },
    body: json({ errorType: 'Error', errorMessage: 'boom' }),
  },
  {
    what: 'a Lambda error with its modeled status',
    service: 'lambda',
    operation: 'Invoke',
    status: 404,
    headers: { 'x-amzn-requestid': 'r-1', 'x-amzn-errortype': 'ResourceNotFoundException' },
    body: json({ Type: 'User', message: 'Function not found' }),
  },
  {
    what: 'an S3 object head with its headers',
    service: 's3',
    operation: 'HeadObject',
    status: 200,
    headers: {
      'x-amz-request-id': 'r-1',
      'content-length': '11',
      etag: '"0f"',
      'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT',
    },
    body: Buffer.alloc(0),
  },
];

const violating: (Row & { problem: string })[] = [
  {
    what: 'a member the output shape does not declare',
    service: 'ecs',
    operation: 'ListClusters',
    status: 200,
    headers: JSON_11,
    body: json({ clusterArns: [], extra: 1 }),
    problem: 'extra: member not declared by ListClustersResponse',
  },
  {
    what: 'a list item of the wrong type',
    service: 'ecs',
    operation: 'ListClusters',
    status: 200,
    headers: JSON_11,
    body: json({ clusterArns: ['a', 3] }),
    problem: 'clusterArns[1]: expected a string',
  },
  {
    what: 'a null member',
    service: 'ecs',
    operation: 'ListClusters',
    status: 200,
    headers: JSON_11,
    body: json({ clusterArns: [], nextToken: null }),
    problem: 'nextToken: null',
  },
  {
    what: 'an integer with a fraction',
    service: 'ecs',
    operation: 'DescribeClusters',
    status: 200,
    headers: JSON_11,
    body: json({ clusters: [{ runningTasksCount: 1.5 }] }),
    problem: 'clusters[0].runningTasksCount: expected an integer',
  },
  {
    what: 'a JSON timestamp as an ISO string',
    service: 'ecs',
    operation: 'DescribeServices',
    status: 200,
    headers: JSON_11,
    body: json({ services: [{ createdAt: '2026-01-01T00:00:00Z' }] }),
    problem: 'services[0].createdAt: timestamp must be epoch seconds',
  },
  {
    what: 'a JSON timestamp in milliseconds',
    service: 'ecs',
    operation: 'DescribeServices',
    status: 200,
    headers: JSON_11,
    body: json({ services: [{ createdAt: 1767225600000 }] }),
    problem: 'looks like milliseconds',
  },
  {
    what: 'a value outside the model’s enum',
    service: 'ecs',
    operation: 'DescribeServices',
    status: 200,
    headers: JSON_11,
    body: json({ services: [{ launchType: 'BOAT' }] }),
    problem: "services[0].launchType: 'BOAT' is not one of the model's LaunchType values",
  },
  {
    what: 'a required member missing',
    service: 'stepfunctions',
    operation: 'StartExecution',
    status: 200,
    headers: JSON_10,
    body: json({ executionArn: 'arn:aws:states:us-east-1:1:execution:m:e' }),
    problem: 'startDate: required by StartExecutionOutput but missing',
  },
  {
    what: 'the wrong JSON version',
    service: 'stepfunctions',
    operation: 'StartExecution',
    status: 200,
    headers: JSON_11,
    body: json({ executionArn: 'a', startDate: 1 }),
    problem: 'not application/x-amz-json-1.0',
  },
  {
    what: 'no request id',
    service: 'ecs',
    operation: 'ListClusters',
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: json({ clusterArns: [] }),
    problem: 'no x-amzn-requestid header',
  },
  {
    what: 'an error the operation does not declare',
    service: 'ecs',
    operation: 'ListClusters',
    status: 400,
    headers: JSON_11,
    body: json({ __type: 'ClusterNotFoundException', message: 'm' }),
    problem:
      "error code 'ClusterNotFoundException' is neither declared for ListClusters nor a common AWS error",
  },
  {
    what: 'an error without a message',
    service: 'ecs',
    operation: 'DescribeServices',
    status: 400,
    headers: JSON_11,
    body: json({ __type: 'ClusterNotFoundException' }),
    problem: 'error ClusterNotFoundException carries no message',
  },
  {
    what: 'an error answered with 200',
    service: 'ecs',
    operation: 'DescribeServices',
    status: 200,
    headers: JSON_11,
    body: json({ __type: 'ClusterNotFoundException', message: 'm' }),
    problem: '__type: member not declared',
  },
  {
    what: 'a modeled error with another status than the model’s',
    service: 'lambda',
    operation: 'Invoke',
    status: 400,
    headers: { 'x-amzn-requestid': 'r-1', 'x-amzn-errortype': 'ResourceNotFoundException' },
    body: json({ message: 'gone' }),
    problem: 'answered with HTTP 400; the model says 404',
  },
  {
    what: 'an awsQuery member the shape does not declare',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 200,
    headers: XML,
    body: elbResult('DescribeTargetGroups', targetGroup('<Bogus>1</Bogus>')),
    problem: 'TargetGroups[0].Bogus: member not declared by TargetGroup',
  },
  {
    what: 'an awsQuery boolean that is not true/false',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 200,
    headers: XML,
    body: elbResult('DescribeTargetGroups', targetGroup('<HealthCheckEnabled>True</HealthCheckEnabled>')),
    problem: "'True' is not true or false",
  },
  {
    what: 'an awsQuery list without <member>',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 200,
    headers: XML,
    body: elbResult('DescribeTargetGroups', '<TargetGroups><TargetGroup/></TargetGroups>'),
    problem: 'list items must be <member>',
  },
  {
    what: 'an awsQuery timestamp that is not ISO 8601',
    service: 'elbv2',
    operation: 'DescribeLoadBalancers',
    status: 200,
    headers: XML,
    body: elbResult(
      'DescribeLoadBalancers',
      '<LoadBalancers><member><CreatedTime>1767225600</CreatedTime></member></LoadBalancers>',
    ),
    problem: 'is not ISO 8601',
  },
  {
    what: 'an awsQuery document without the result wrapper',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 200,
    headers: XML,
    body: Buffer.from(
      `<DescribeTargetGroupsResponse xmlns="${ELB_NS}"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>`,
    ),
    problem: 'no <DescribeTargetGroupsResult>',
  },
  {
    what: 'an awsQuery error named as the SDK’s exception class, not the wire code',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 400,
    headers: XML,
    body: elbError('TargetGroupNotFoundException'),
    problem: "error code 'TargetGroupNotFoundException' is neither declared",
  },
  {
    what: 'an awsQuery sender error typed Receiver',
    service: 'elbv2',
    operation: 'DescribeTargetGroups',
    status: 400,
    headers: XML,
    body: elbError('TargetGroupNotFound', 'Receiver'),
    problem: "TargetGroupNotFound is the sender's fault in the model, but <Type> is Receiver",
  },
  {
    what: 'an S3 header that is not an HTTP date',
    service: 's3',
    operation: 'HeadObject',
    status: 200,
    headers: { 'x-amz-request-id': 'r-1', 'last-modified': 'yesterday' },
    body: Buffer.alloc(0),
    problem: "header last-modified (LastModified): timestamp 'yesterday' is not an HTTP date",
  },
];

describe('the botocore validator', () => {
  it.each(conforming)('passes $what', async (row) => {
    expect(await validator.validate(row.service, row.operation, row)).toEqual([]);
  });

  it.each(violating)('catches $what', async (row) => {
    const problems = await validator.validate(row.service, row.operation, row);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(row.problem)]));
  });

  it('reads botocore’s paginators', async () => {
    expect(await validator.paginator('elbv2', 'DescribeTargetGroups')).toEqual({
      input_token: 'Marker',
      output_token: 'NextMarker',
      limit_key: 'PageSize',
      result_key: 'TargetGroups',
    });
    expect(await validator.paginator('ecs', 'DescribeServices')).toBeNull();
  });

  it('refuses an operation the model does not have, rather than passing it', async () => {
    await expect(
      validator.validate('ecs', 'LaunchRocket', { status: 200, headers: JSON_11, body: json({}) }),
    ).rejects.toThrow(/LaunchRocket/);
  });
});

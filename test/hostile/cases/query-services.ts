import { type CaseRow, cases, query } from './case.js';

const VERSION = '2015-12-01';
const elb = (action: string, params: Record<string, string> = {}) =>
  query('elasticloadbalancing', { Action: action, Version: VERSION, ...params });
const cfn = (action: string, params: Record<string, string> = {}) =>
  query('cloudformation', { Action: action, Version: '2010-05-15', ...params });
const targets = (arn: string, id: string, port: string) =>
  elb('RegisterTargets', { TargetGroupArn: arn, 'Targets.member.1.Id': id, 'Targets.member.1.Port': port });
const targetGroup = (params: Record<string, string>) =>
  elb('CreateTargetGroup', {
    Name: 'hostile-new',
    Protocol: 'HTTP',
    Port: '80',
    VpcId: 'vpc-1',
    TargetType: 'ip',
    ...params,
  });

/** awsQuery: ELBv2 and CloudFormation. */
const rows: CaseRow[] = [
  ['ELBv2: no Action', query('elasticloadbalancing', { Version: VERSION }), 400, 'MissingAction'],
  [
    'ELBv2: a body of binary noise',
    query('elasticloadbalancing', '\u0000\u00ff\u0001=\u0002&&&=='),
    400,
    'MissingAction',
  ],
  ['ELBv2: Action "constructor"', elb('constructor'), 400, 'InvalidAction'],
  ['ELBv2: Action "__proto__"', elb('__proto__'), 400, 'InvalidAction'],
  ['ELBv2: Action "hasOwnProperty"', elb('hasOwnProperty'), 400, 'InvalidAction'],
  [
    'ELBv2: a Version from the future',
    query('elasticloadbalancing', { Action: 'DescribeLoadBalancers', Version: '2099-01-01' }),
    400,
    'InvalidAction',
  ],
  [
    'ELBv2: a target on port 70000',
    (aim) => targets(aim.targetGroupArn, '10.0.0.1', '70000'),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a target on port 0',
    (aim) => targets(aim.targetGroupArn, '10.0.0.1', '0'),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a target on port −1',
    (aim) => targets(aim.targetGroupArn, '10.0.0.1', '-1'),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a target on port "abc"',
    (aim) => targets(aim.targetGroupArn, '10.0.0.1', 'abc'),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a target on port 1e400',
    (aim) => targets(aim.targetGroupArn, '10.0.0.1', '1e400'),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a target id that is no IP',
    (aim) => targets(aim.targetGroupArn, '../../etc/passwd', '80'),
    400,
    'InvalidTarget',
  ],
  [
    'ELBv2: a target at 999.1.1.1',
    (aim) => targets(aim.targetGroupArn, '999.1.1.1', '80'),
    400,
    'InvalidTarget',
  ],
  [
    'ELBv2: targets of a group that is no ARN',
    targets('arn:aws:nope', '10.0.0.1', '80'),
    400,
    'TargetGroupNotFound',
  ],
  ['ELBv2: a target group on port 70000', targetGroup({ Port: '70000' }), 400, 'ValidationError'],
  [
    'ELBv2: a health check every 1e400 seconds',
    targetGroup({ HealthCheckIntervalSeconds: '1e400' }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a health check every 0 seconds',
    targetGroup({ HealthCheckIntervalSeconds: '0' }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a healthy threshold of 1000',
    targetGroup({ HealthyThresholdCount: '1000' }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a target group name of 40 characters',
    targetGroup({ Name: 'a'.repeat(40) }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a health check path without a slash',
    targetGroup({ HealthCheckPath: 'etc/passwd' }),
    400,
    'ValidationError',
  ],
  ['ELBv2: a matcher "abc"', targetGroup({ 'Matcher.HttpCode': 'abc' }), 400, 'ValidationError'],
  [
    'ELBv2: an attribute "__proto__"',
    (aim) =>
      elb('ModifyTargetGroupAttributes', {
        TargetGroupArn: aim.targetGroupArn,
        'Attributes.member.1.Key': '__proto__',
        'Attributes.member.1.Value': 'x',
      }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a deregistration delay of 99999',
    (aim) =>
      elb('ModifyTargetGroupAttributes', {
        TargetGroupArn: aim.targetGroupArn,
        'Attributes.member.1.Key': 'deregistration_delay.timeout_seconds',
        'Attributes.member.1.Value': '99999',
      }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a load balancer "../x"',
    elb('CreateLoadBalancer', { Name: '../x', 'Subnets.member.1': 'subnet-1' }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a listener on port 0',
    elb('CreateListener', {
      LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/none/1',
      Port: '0',
      Protocol: 'HTTP',
      'DefaultActions.member.1.Type': 'fixed-response',
    }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a name of 10,000 characters to describe',
    elb('DescribeTargetGroups', { 'Names.member.1': 'n'.repeat(10_000) }),
    400,
    'ValidationError',
  ],
  [
    'ELBv2: a 2 MB body',
    query(
      'elasticloadbalancing',
      `Action=DescribeTargetGroups&Version=${VERSION}&x=${'a'.repeat(2 * 1024 * 1024)}`,
    ),
    413,
    'RequestEntityTooLarge',
  ],
  ['CloudFormation: Action "constructor"', cfn('constructor'), 400, 'InvalidAction'],
  ['CloudFormation: no Action', query('cloudformation', { Version: '2010-05-15' }), 400, 'MissingAction'],
  [
    'CloudFormation: a stack "../../etc"',
    cfn('DescribeStacks', { StackName: '../../etc' }),
    400,
    'ValidationError',
  ],
];

export const QUERY_CASES = cases(rows);

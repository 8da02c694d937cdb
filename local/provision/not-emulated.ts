/**
 * Resource types the local cloud records without running, each with why
 * that is safe: what they do on AWS either has no local meaning (networks,
 * DNS) or is stood in for by something the local cloud does anyway. A type
 * not named here and without a handler is recorded as well, under a generic
 * note, so a template never fails to provision for a type alone.
 */
const REASONS: Record<string, string> = {
  'AWS::EC2::VPC': 'tasks share loopback; each gets its own 127.x address',
  'AWS::EC2::Subnet': 'tasks share loopback; each gets its own 127.x address',
  'AWS::EC2::SubnetRouteTableAssociation': 'loopback needs no routes',
  'AWS::EC2::RouteTable': 'loopback needs no routes',
  'AWS::EC2::Route': 'loopback needs no routes',
  'AWS::EC2::InternetGateway': 'loopback needs no gateway',
  'AWS::EC2::VPCGatewayAttachment': 'loopback needs no gateway',
  'AWS::EC2::NatGateway': 'loopback needs no gateway',
  'AWS::EC2::EIP': 'loopback needs no public address',
  'AWS::EC2::FlowLog': 'no VPC traffic to log',
  'AWS::EC2::SecurityGroup': 'security groups are not enforced on loopback',
  'AWS::EC2::SecurityGroupIngress': 'security groups are not enforced on loopback',
  'AWS::EC2::SecurityGroupEgress': 'security groups are not enforced on loopback',
  'AWS::IAM::InstanceProfile': 'local instances are loopback addresses: no instance role to assume',
  'AWS::Route53::RecordSet': 'no DNS: clients reach the load balancer by its address, with the Host header',
  'AWS::S3::BucketPolicy': 'bucket policies are not enforced',
};

/** Why a resource type the local cloud does not run is only recorded. */
export function whyNotEmulated(type: string): string {
  return REASONS[type] ?? 'no local emulation of this type';
}

/** The types recorded with a reason of their own (none of them may have a handler). */
export function typesWithReasons(): string[] {
  return Object.keys(REASONS);
}

/**
 * What a recorded-only type is, in a word a reader of one summary line
 * recognizes: instances (their profile), security groups, the rest of EC2
 * (networking), DNS.
 */
export function kindOf(type: string): string {
  if (type === 'AWS::IAM::InstanceProfile') return 'instances';
  if (type.startsWith('AWS::EC2::SecurityGroup')) return 'security groups';
  if (type.startsWith('AWS::EC2::')) return 'networking';
  if (type.startsWith('AWS::Route53::')) return 'DNS';
  if (type === 'AWS::S3::BucketPolicy') return 'bucket policies';
  return type.replace(/^AWS::/, '');
}

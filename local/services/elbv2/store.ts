import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ListenerServer } from './listener-server.js';
import type { TargetGroup } from './target-group.js';

export interface LoadBalancer {
  arn: string;
  name: string;
  /** The random part of its ARN, which its listeners' and rules' ARNs repeat. */
  id: string;
  dnsName: string;
  scheme: 'internet-facing' | 'internal';
  ipAddressType: string;
  securityGroups: string[];
  subnets: string[];
  createdAt: Date;
  /** Its front door on loopback: the HTTP listener's traffic arrives here. */
  server: ListenerServer;
  localPort: number;
}

export interface Listener {
  arn: string;
  id: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  defaultActions: Action[];
  certificates: { CertificateArn?: string }[];
  sslPolicy?: string;
}

export interface ListenerRule {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
}

export interface TargetGroupEntry {
  group: TargetGroup;
  protocol: string;
  protocolVersion: string;
  targetType: string;
  vpcId: string;
  healthCheckProtocol: string;
  healthCheckPort: string;
  createdAt: Date;
}

/** ELBv2's state in one account and region. */
export class Elbv2Store {
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly listeners = new Map<string, Listener>();
  readonly rules = new Map<string, ListenerRule>();
  readonly targetGroups = new Map<string, TargetGroupEntry>();
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NetworkModel } from '../../manifest/model.js';

export interface AppNetworkProps {
  network: NetworkModel;
  logRetention: logs.RetentionDays;
}

/**
 * The app's VPC, 10.0.0.0/16 over two AZs. `private` (the default): public
 * subnets for the load balancer, private subnets behind NAT for the tasks.
 * `public`: public subnets only and no NAT gateway — the tasks get public IPs
 * to reach AWS's endpoints, and their security groups still admit only the
 * load balancer. Rejected traffic is logged either way.
 */
export class AppNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** Where the tasks run, and whether they need a public IP to reach ECR, Logs and DynamoDB. */
  readonly taskSubnets: ec2.SubnetSelection;
  readonly assignPublicIp: boolean;

  constructor(scope: Construct, id: string, props: AppNetworkProps) {
    super(scope, id);
    const isPublic = props.network.mode === 'public';
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: 2,
      natGateways: isPublic ? 0 : props.network.natGateways,
      subnetConfiguration: isPublic
        ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }]
        : [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
          ],
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', {
              retention: props.logRetention,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
          ),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
    this.assignPublicIp = isPublic;
    this.taskSubnets = {
      subnetType: isPublic ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    };
  }
}

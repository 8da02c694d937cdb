import { Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { instanceArchitecture } from '../../manifest/capacity-schema.js';
import type { CapacityModel } from '../../manifest/model.js';
import { acknowledge } from '../nag.js';
import type { AppNetwork } from './app-network.js';

/** Where ECS binds a bridge task's container port on the instance: the Linux ephemeral range it draws from. */
export const EPHEMERAL_PORTS = ec2.Port.tcpRange(32768, 65535);

export interface ServiceInstancesProps {
  /** For names and descriptions: `<app>/<service>`. */
  label: string;
  capacity: Extract<CapacityModel, { kind: 'ec2' }>;
  network: AppNetwork;
  cluster: ecs.Cluster;
  /** The load balancer's security groups: the only source the instances admit. */
  loadBalancerGroups: ec2.ISecurityGroup[];
}

/**
 * EC2 capacity for one service: an Auto Scaling group of ECS-optimized
 * Amazon Linux 2023 instances (the AMI from AWS's public SSM parameter, a
 * template parameter, not a lookup) in the task subnets, admitting only the
 * load balancer on the ephemeral port range, and the capacity provider through
 * which ECS scales it.
 *
 * Deleting the stack must go: services, the cluster's capacity provider
 * association, the capacity provider, the instances, the cluster (ECS refuses
 * to delete a capacity provider still associated with a cluster, and a
 * cluster that still has container instances). The template's references
 * give that order — the association names the provider and the cluster, the
 * provider names the group, the instances' user data names the cluster — and
 * the service depends on the association. Managed termination protection is
 * off: it keeps instances from terminating, which hangs the group's deletion
 * (aws-cdk#18179); managed draining moves tasks off an instance before it goes.
 */
export class ServiceInstances extends Construct {
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly capacityProvider: ecs.AsgCapacityProvider;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ServiceInstancesProps) {
    super(scope, id);
    const { capacity, network } = props;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: network.vpc,
      description: `${props.label} instances: only the load balancer, on the ephemeral ports tasks bind`,
      allowAllOutbound: true,
    });
    for (const group of props.loadBalancerGroups) {
      this.securityGroup.addIngressRule(group, EPHEMERAL_PORTS, 'From the load balancer only');
    }

    const role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `${props.label} ECS container instances: join the cluster, pull images, write logs`,
    });
    const hardware =
      instanceArchitecture(capacity.instanceType) === 'ARM64'
        ? ecs.AmiHardwareType.ARM
        : ecs.AmiHardwareType.STANDARD;
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(hardware),
      instanceType: new ec2.InstanceType(capacity.instanceType),
      userData: ec2.UserData.forLinux(),
      role,
      securityGroup: this.securityGroup,
      requireImdsv2: true,
      // Public subnets have no NAT: the instances reach ECS, ECR and Logs by their own public IPs.
      associatePublicIpAddress: network.assignPublicIp,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Instances', {
      vpc: network.vpc,
      vpcSubnets: network.taskSubnets,
      launchTemplate,
      minCapacity: capacity.minInstances,
      maxCapacity: capacity.maxInstances,
      healthChecks: autoscaling.HealthChecks.ec2(),
    });
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: false,
      enableManagedDraining: true,
      targetCapacityPercent: 100,
    });
    props.cluster.addAsgCapacityProvider(this.capacityProvider);
    this.acknowledge(role);
  }

  private acknowledge(role: iam.Role): void {
    acknowledge(
      role,
      ['AwsSolutions-IAM5[Resource::*]'],
      "The ECS agent's actions (ecs:DiscoverPollEndpoint, ecs:Poll and StartTelemetrySession conditioned on this cluster, ecr:GetAuthorizationToken, logs:CreateLogStream/PutLogEvents) have no resource-level permissions; CDK's cluster grants them as AmazonEC2ContainerServiceforEC2Role does.",
    );
    acknowledge(
      role,
      ['AwsSolutions-IAM5[Action::ecs:Submit*]'],
      'ecs:Submit* (container, task and attachment state changes) is what the ECS agent reports, limited to this cluster.',
    );
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions-AS3',
      reason:
        'ECS scales the group through its capacity provider and reports placement in service events; the deployment record keeps what each deployment saw.',
    });
  }
}

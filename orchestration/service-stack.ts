import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { StepshipConfig } from './config.js';
import { WebService } from './constructs/web-service.js';

export interface ServiceStackProps extends StackProps {
  config: StepshipConfig;
}

/**
 * What stepship deploys *to*: the reference architecture of a Fargate service
 * behind an internet-facing ALB, in private subnets, with its image
 * repository and its DynamoDB table.
 */
export class ServiceStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly web: WebService;
  readonly repository: ecr.Repository;
  readonly appTable: dynamodb.Table;
  readonly loadBalancerUrl: string;
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const c = props.config;
    const logRetention = c.logRetentionDays as logs.RetentionDays;

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: 2,
      natGateways: c.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'VpcFlowLogs', {
              retention: logRetention,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
          ),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
    this.vpc = vpc;

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: c.serviceName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.MUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          description: 'Untagged images (superseded pushes) after 7 days',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(7),
        },
      ],
    });

    this.appTable = new dynamodb.Table(this, 'AppTable', {
      tableName: c.tableName,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.clusterName = `stepship-${c.serviceName}`;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: this.clusterName,
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const accessLogs = new s3.Bucket(this, 'LoadBalancerAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is itself the access-log destination (of the ALB); logging it would recurse.',
    });

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    loadBalancer.logAccessLogs(accessLogs, 'alb');
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The load balancer is the public entry point: it admits 0.0.0.0/0 on 80 (and 443) only; tasks admit only it.',
    });
    const listener = this.listener(loadBalancer, c);

    this.web = new WebService(this, 'Web', {
      config: c,
      vpc,
      cluster: this.cluster,
      repository: this.repository,
      loadBalancer,
      listener,
      logRetention,
    });

    const scheme = c.certificateArn ? 'https' : 'http';
    this.loadBalancerUrl = `${scheme}://${c.domainName || loadBalancer.loadBalancerDnsName}`;
    new CfnOutput(this, 'LoadBalancerUrl', {
      value: this.loadBalancerUrl,
      description: 'The service, through the ALB',
    });
    new CfnOutput(this, 'RepositoryUri', {
      value: this.repository.repositoryUri,
      description: 'Push images here',
    });
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: this.web.service.serviceName });
  }

  /** HTTP on 80; with a certificate, HTTPS on 443 and 80 redirecting to it. Returns the one that serves. */
  private listener(
    loadBalancer: elbv2.ApplicationLoadBalancer,
    c: StepshipConfig,
  ): elbv2.ApplicationListener {
    if (!c.certificateArn) {
      return loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: true,
      });
    }
    loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    return loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', c.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: true,
    });
  }
}

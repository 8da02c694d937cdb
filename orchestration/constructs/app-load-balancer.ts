import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DomainModel } from '../../manifest/model.js';
import { AppDomain } from './app-domain.js';

export interface AppLoadBalancerProps {
  vpc: ec2.IVpc;
  /** HTTPS on the user's domain; absent: HTTP on the load balancer's own name. */
  domain?: DomainModel;
}

/**
 * The app's one internet-facing Application Load Balancer, in the public
 * subnets, with access logs, and the listener that routes: HTTP on 80, or
 * with a domain HTTPS on 443 (its certificate, an alias record) while 80
 * redirects there. Listener rules route path patterns to services; requests
 * no rule matches get AWS's own 404 fixed response unless a service is the
 * default.
 */
export class AppLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener holding the routing rules: HTTPS with a domain, else HTTP. */
  readonly listener: elbv2.ApplicationListener;
  readonly domain?: AppDomain;

  constructor(scope: Construct, id: string, props: AppLoadBalancerProps) {
    super(scope, id);
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
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
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The load balancer is the public entry point: it admits 0.0.0.0/0 on its listener ports only; tasks admit only it.',
    });
    if (!props.domain) {
      this.listener = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: true,
      });
      return;
    }
    this.domain = new AppDomain(this, 'Domain', { domain: props.domain });
    this.domain.pointTo(this.loadBalancer);
    this.listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [this.domain.certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: true,
    });
    this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: true,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
  }

  /** What answers a request no service's rule matches: the default service, else a 404 as AWS's own. */
  setDefault(targetGroup: elbv2.IApplicationTargetGroup | undefined): void {
    if (targetGroup) {
      this.listener.addTargetGroups('Default', { targetGroups: [targetGroup] });
      return;
    }
    this.listener.addAction('NotFound', {
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'Not Found',
      }),
    });
  }
}

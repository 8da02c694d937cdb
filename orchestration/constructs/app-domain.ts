import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { DomainModel } from '../../manifest/model.js';

export interface AppDomainProps {
  domain: DomainModel;
}

/**
 * The app's own name: an ACM certificate validated by DNS in the user's
 * hosted zone, and (once the load balancer exists) an alias record to it.
 * The zone is imported by id and name, never looked up, so synthesis needs
 * no credentials.
 */
export class AppDomain extends Construct {
  readonly certificate: acm.Certificate;
  private readonly zone: route53.IHostedZone;
  private readonly name: string;

  constructor(scope: Construct, id: string, props: AppDomainProps) {
    super(scope, id);
    const { domain } = props;
    this.name = domain.name;
    this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: domain.hostedZoneId,
      zoneName: domain.hostedZoneName,
    });
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: domain.name,
      validation: acm.CertificateValidation.fromDns(this.zone),
    });
  }

  /** The name answers with the load balancer's addresses (an alias: no charge for the queries). */
  pointTo(loadBalancer: elbv2.IApplicationLoadBalancer): void {
    new route53.ARecord(this, 'Alias', {
      zone: this.zone,
      // Fully qualified, so a name equal to the zone's is its apex rather than name.zone.
      recordName: `${this.name}.`,
      target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(loadBalancer)),
      comment: `stepship: ${this.name}, the app's load balancer`,
    });
  }
}

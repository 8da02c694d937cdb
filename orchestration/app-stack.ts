import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { AppModel, TableModel } from '../manifest/model.js';
import { AppLoadBalancer } from './constructs/app-load-balancer.js';
import { AppNetwork } from './constructs/app-network.js';
import { AppService } from './constructs/app-service.js';
import { scaleTaskCount } from './constructs/service-scaling.js';

export interface AppStackProps extends StackProps {
  app: AppModel;
}

/**
 * What stepship deploys *to*, built from the app's manifest: one VPC, one
 * ECS cluster and one internet-facing load balancer for the app (HTTPS on its
 * domain when it has one); the tables it declares; and for each service its
 * repository, roles, task definition, ECS service (Fargate, Fargate Spot or
 * its own EC2 instances), target group, listener rule and autoscaling.
 */
export class AppStack extends Stack {
  readonly model: AppModel;
  readonly network: AppNetwork;
  readonly cluster: ecs.Cluster;
  readonly clusterName: string;
  readonly loadBalancer: AppLoadBalancer;
  /** Services by name, in the manifest's deploy order. */
  readonly services = new Map<string, AppService>();
  /** Tables by their manifest name. */
  readonly tables = new Map<string, dynamodb.ITable>();
  /** The app as users reach it: https://<domain>, or http://<load balancer's DNS name>. */
  readonly appUrl: string;
  /** The load balancer by its own DNS name (https with a domain): where verification connects. */
  readonly loadBalancerUrl: string;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const app = props.app;
    this.model = app;
    const logRetention = app.logRetentionDays as logs.RetentionDays;

    this.network = new AppNetwork(this, 'Network', { network: app.network, logRetention });
    for (const table of app.tables) this.tables.set(table.name, this.table(table));

    this.clusterName = `stepship-${app.name}`;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: this.clusterName,
      vpc: this.network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      // Only when a service asks: it adds the capacity provider association to the template.
      enableFargateCapacityProviders: app.services.some(
        (s) => s.capacity.kind === 'fargate' && s.capacity.providers.length > 0,
      ),
    });
    this.loadBalancer = new AppLoadBalancer(this, 'Ingress', {
      vpc: this.network.vpc,
      ...(app.domain ? { domain: app.domain } : {}),
    });
    const dnsName = this.loadBalancer.loadBalancer.loadBalancerDnsName;
    this.appUrl = app.domain ? `https://${app.domain.name}` : `http://${dnsName}`;
    this.loadBalancerUrl = `${app.domain ? 'https' : 'http'}://${dnsName}`;

    for (const service of app.services) {
      this.services.set(
        service.name,
        new AppService(this, pascal(service.name), {
          app: app.name,
          service,
          network: this.network,
          cluster: this.cluster,
          loadBalancer: this.loadBalancer,
          appUrl: this.appUrl,
          tables: this.tables,
          logRetention,
        }),
      );
    }
    const defaultService = app.services.find((s) => s.routing.isDefault);
    this.loadBalancer.setDefault(
      defaultService ? this.services.get(defaultService.name)?.targetGroup : undefined,
    );
    // After the routing: the request-count policy needs its target group on the listener.
    for (const service of this.services.values()) {
      if (service.model.scaling) scaleTaskCount(service.service, service.model.scaling, service.targetGroup);
    }

    new CfnOutput(this, 'LoadBalancerUrl', {
      value: this.appUrl,
      description: app.domain ? 'The app, on its domain' : 'The app, through its load balancer',
    });
    new CfnOutput(this, 'LoadBalancerDnsName', { value: dnsName });
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    for (const [name, service] of this.services) {
      new CfnOutput(this, `${pascal(name)}RepositoryUri`, {
        value: service.repository.repositoryUri,
        description: `Push ${name}'s images here`,
      });
      new CfnOutput(this, `${pascal(name)}ServiceName`, { value: service.service.serviceName });
    }
  }

  private table(model: TableModel): dynamodb.ITable {
    const id = `Table${pascal(model.name)}`;
    if (!model.create) return dynamodb.Table.fromTableName(this, id, model.physicalName);
    return new dynamodb.Table(this, id, {
      tableName: model.physicalName,
      partitionKey: { name: model.partitionKey.name, type: attributeType(model.partitionKey.type) },
      ...(model.sortKey
        ? { sortKey: { name: model.sortKey.name, type: attributeType(model.sortKey.type) } }
        : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

function attributeType(type: 'S' | 'N' | 'B'): dynamodb.AttributeType {
  return type === 'N'
    ? dynamodb.AttributeType.NUMBER
    : type === 'B'
      ? dynamodb.AttributeType.BINARY
      : dynamodb.AttributeType.STRING;
}

/** `orders-api` → `OrdersApi`: construct ids and output names. */
export const pascal = (name: string): string =>
  name.replace(/(^|[-_])([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase());

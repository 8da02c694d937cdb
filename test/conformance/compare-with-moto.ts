/**
 * Sends the same ECS and ELBv2 requests to the local cloud and to moto (a
 * second emulator, started here on 127.0.0.1) and prints, per operation, the
 * members one answers and the other leaves out. botocore can't tell "always
 * returned" from "optional"; where moto returns a member the local cloud
 * omits, AWS's API reference decides whether AWS always returns it.
 *
 *   npx tsx test/conformance/compare-with-moto.ts
 *
 * A tool for that investigation, not a test: the suite never depends on moto.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { LocalCloud } from '../../local/cloud.js';

type Answers = Map<string, unknown>;
interface Endpoint {
  url: string;
  subnets: string[];
  vpcId: string;
  securityGroups: string[];
}

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const config = (url: string) => ({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });

async function ecsScenario(endpoint: Endpoint): Promise<Answers> {
  const ecs = new ECSClient(config(endpoint.url));
  const answers: Answers = new Map();
  const record = async (name: string, call: Promise<unknown>) => answers.set(name, await call);
  await record('CreateCluster', ecs.send(new CreateClusterCommand({ clusterName: 'cmp' })));
  await record('DescribeClusters', ecs.send(new DescribeClustersCommand({ clusters: ['cmp'] })));
  await record('ListClusters', ecs.send(new ListClustersCommand({})));
  await record(
    'RegisterTaskDefinition',
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'cmp',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          { name: 'app', image: 'nginx', essential: true, portMappings: [{ containerPort: 80 }] },
        ],
      }),
    ),
  );
  await record(
    'DescribeTaskDefinition',
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'cmp:1' })),
  );
  await record(
    'CreateService',
    ecs.send(
      new CreateServiceCommand({
        cluster: 'cmp',
        serviceName: 'web',
        taskDefinition: 'cmp:1',
        desiredCount: 0,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: endpoint.subnets, securityGroups: endpoint.securityGroups },
        },
      }),
    ),
  );
  await record(
    'DescribeServices',
    ecs.send(new DescribeServicesCommand({ cluster: 'cmp', services: ['web'] })),
  );
  ecs.destroy();
  return answers;
}

async function elbScenario(endpoint: Endpoint): Promise<Answers> {
  const elb = new ElasticLoadBalancingV2Client(config(endpoint.url));
  const answers: Answers = new Map();
  const record = async <T>(name: string, call: Promise<T>) => {
    const answer = await call;
    answers.set(name, answer);
    return answer;
  };
  const lb = await record(
    'CreateLoadBalancer',
    elb.send(new CreateLoadBalancerCommand({ Name: 'cmp', Subnets: endpoint.subnets })),
  );
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  await record('DescribeLoadBalancers', elb.send(new DescribeLoadBalancersCommand({ Names: ['cmp'] })));
  const tg = await record(
    'CreateTargetGroup',
    elb.send(
      new CreateTargetGroupCommand({
        Name: 'cmp',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: endpoint.vpcId,
        TargetType: 'ip',
      }),
    ),
  );
  const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
  await record(
    'DescribeTargetGroups',
    elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })),
  );
  await record(
    'DescribeTargetGroupAttributes',
    elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn })),
  );
  const listener = await record(
    'CreateListener',
    elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    ),
  );
  const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
  await record('DescribeListeners', elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })));
  await record(
    'CreateRule',
    elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    ),
  );
  await record('DescribeRules', elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn })));
  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.0.1.10', Port: 80 }] }),
  );
  await record('DescribeTargetHealth', elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn })));
  elb.destroy();
  return answers;
}

/** `services[].deployments[].rolloutState`, … — every member path an answer holds. */
function memberPaths(value: unknown, prefix = ''): Set<string> {
  const paths = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const p of memberPaths(item, `${prefix}[]`)) paths.add(p);
  } else if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$metadata' || item === undefined) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      paths.add(path);
      for (const p of memberPaths(item, path)) paths.add(p);
    }
  }
  return paths;
}

function report(service: string, local: Answers, moto: Answers): void {
  for (const [operation, answer] of local) {
    const ours = memberPaths(answer);
    const theirs = memberPaths(moto.get(operation));
    const onlyMoto = [...theirs].filter((p) => !ours.has(p));
    const onlyLocal = [...ours].filter((p) => !theirs.has(p));
    console.log(`\n${service} ${operation}`);
    console.log(`  moto answers, the local cloud leaves out: ${onlyMoto.join(', ') || '—'}`);
    console.log(`  the local cloud answers, moto leaves out: ${onlyLocal.join(', ') || '—'}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startMoto(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, child };
    await sleep(100);
  }
  child.kill();
  throw new Error('moto_server did not start (is moto installed? pip install "moto[server]")');
}

/**
 * A VPC and two subnets in moto (its CreateLoadBalancer wants real ones), by
 * EC2's query API directly: the project has no EC2 client, and moto does not
 * check signatures, only the credential scope that names the service.
 */
async function motoNetwork(url: string): Promise<Endpoint> {
  const ec2 = async (params: Record<string, string>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
    });
    return response.text();
  };
  const idIn = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1] ?? '';
  const vpcId = idIn(await ec2({ Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' }), 'vpcId');
  const subnets: string[] = [];
  for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const xml = await ec2({
      Action: 'CreateSubnet',
      VpcId: vpcId,
      CidrBlock: `10.0.${i}.0/24`,
      AvailabilityZone: zone,
    });
    subnets.push(idIn(xml, 'subnetId'));
  }
  // The VPC's default security group, which moto creates with it.
  const groups = await ec2({
    Action: 'DescribeSecurityGroups',
    'Filter.1.Name': 'vpc-id',
    'Filter.1.Value.1': vpcId,
  });
  return { url, subnets, vpcId, securityGroups: [idIn(groups, 'groupId')] };
}

const moto = await startMoto();
const cloud = await LocalCloud.start({
  endpointPort: 0,
  loadBalancerPort: 0,
  stateDir: mkdtempSync(join(tmpdir(), 'stepship-moto-compare-')),
});
try {
  const local = {
    url: cloud.endpointUrl,
    subnets: ['subnet-1', 'subnet-2'],
    vpcId: 'vpc-1',
    securityGroups: ['sg-1'],
  };
  const motoEndpoint = await motoNetwork(moto.url);
  report('ECS', await ecsScenario(local), await ecsScenario(motoEndpoint));
  report('ELBv2', await elbScenario(local), await elbScenario(motoEndpoint));
} finally {
  await cloud.stop();
  moto.child.kill();
}

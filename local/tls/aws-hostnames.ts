/**
 * The host names AWS's SDKs and CLIs connect to when no endpoint is
 * configured, which the local cloud answers for tasks (transparent endpoint
 * injection): `<service>.<region>.amazonaws.com` and its variants.
 */

/** The domains whose hosts the local cloud stands in for (China's and the dual-stack ones too). */
const AWS_DOMAIN = /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/i;

export function isAwsHostname(host: string): boolean {
  return AWS_DOMAIN.test(host.replace(/\.$/, ''));
}

/**
 * The names of the local cloud's default certificate for a region: the forms
 * the SDKs build (`dynamodb.us-east-1.amazonaws.com`, `sts.amazonaws.com`,
 * `<account>.dkr.ecr.<region>.amazonaws.com`, virtual-hosted S3 buckets,
 * dual-stack `*.<region>.api.aws`). A wildcard covers one label only, hence
 * one per depth.
 */
export function defaultCertificateNames(region: string): string[] {
  return [
    'amazonaws.com',
    '*.amazonaws.com',
    `*.${region}.amazonaws.com`,
    `*.dkr.ecr.${region}.amazonaws.com`,
    `*.s3.${region}.amazonaws.com`,
    '*.s3.amazonaws.com',
    `*.execute-api.${region}.amazonaws.com`,
    `*.${region}.api.aws`,
  ];
}

/** The names of a certificate for one requested server name: the name and its siblings. */
export function certificateNamesFor(serverName: string): string[] {
  const name = serverName.toLowerCase().replace(/\.$/, '');
  const parent = name.slice(name.indexOf('.') + 1);
  return parent.includes('.') ? [name, `*.${parent}`] : [name];
}

/**
 * The regions of the commercial (`aws`) partition and China's, as the SDKs'
 * partition data lists them. Containers get these names in their hosts file
 * (Docker takes no wildcards), so an app with a hard-coded region finds the
 * local cloud too.
 */
export const PARTITION_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'sa-west-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'cn-north-1',
  'cn-northwest-1',
];

/** The endpoint prefixes of the services the local cloud serves. */
const SERVED_SERVICES = [
  'dynamodb',
  'ecs',
  'api.ecr',
  'codebuild',
  'events',
  'logs',
  'states',
  'lambda',
  'elasticloadbalancing',
  's3',
];

/** Every served service's regional host name, for each region: the hosts-file entries of a container. */
export function servedHostnames(regions: readonly string[] = PARTITION_REGIONS): string[] {
  const names = regions.flatMap((region) => {
    const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return SERVED_SERVICES.map((service) => `${service}.${region}.${domain}`);
  });
  return [...names, 's3.amazonaws.com'];
}

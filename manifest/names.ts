/**
 * The shapes of names and paths in a manifest, each with the words that tell
 * a user what is allowed.
 */

export interface Pattern {
  pattern: RegExp;
  allowed: string;
}

/**
 * App and service names become ECR repository names (lowercase, no leading,
 * trailing or doubled hyphen), ECS and CloudFormation names (≤ 32 keeps the
 * derived target group and load balancer names within their limit).
 */
export const RESOURCE_NAME: Pattern = {
  pattern: /^(?=.{1,32}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/,
  allowed:
    'a lowercase letter, then lowercase letters, digits and single hyphens (not at the end), at most 32 characters',
};

export const TABLE_NAME: Pattern = {
  pattern: /^[A-Za-z0-9_.-]{3,255}$/,
  allowed: 'a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -',
};

export const KEY_ATTRIBUTE: Pattern = {
  pattern: /^[A-Za-z0-9_.-]{1,255}(?::[SNB])?$/,
  allowed: 'an attribute name (A-Z a-z 0-9 _ . -), optionally typed name:S, name:N or name:B',
};

export const VARIABLE_NAME: Pattern = {
  pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
  allowed: 'a variable name: a letter or _, then letters, digits or _',
};

/** ALB path patterns: ≤ 128 characters of this set, `*` and `?` as wildcards. */
export const PATH_PATTERN: Pattern = {
  pattern: /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/,
  allowed:
    'an ALB path pattern: "/" then up to 127 of A-Z a-z 0-9 _ - . $ / ~ " \' @ : + & and the wildcards * and ?',
};

export const HEALTH_CHECK_PATH: Pattern = {
  pattern: /^\/[\x21-\x7e]{0,1023}$/,
  allowed: 'a path starting with "/" (at most 1024 printable characters)',
};

/** A path and optional query string the verifier requests through the load balancer. */
export const REQUEST_PATH: Pattern = {
  pattern: /^\/[\x21-\x7e]{0,2047}$/,
  allowed: 'a path starting with "/" (printable characters, a query string allowed)',
};

export const FIELD_PATH: Pattern = {
  pattern: /^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/,
  allowed: 'a dotted path of JSON fields, e.g. taskIP or task.ip',
};

/** ALB matchers: codes 200–499, lists and ranges (`200`, `200,302`, `200-299`). */
export const MATCHER: Pattern = {
  pattern: /^(?:[2-4]\d\d(?:-[2-4]\d\d)?)(?:,[2-4]\d\d(?:-[2-4]\d\d)?)*$/,
  allowed: 'HTTP codes from 200 to 499: one (200), a list (200,302) or a range (200-299)',
};

export const REGION: Pattern = {
  pattern: /^[a-z]{2}(?:-[a-z]+)+-\d$/,
  allowed: 'an AWS region such as us-east-1',
};

/** A standard SNS topic's ARN (EventBridge delivers stepship's events to it). */
export const SNS_TOPIC_ARN: Pattern = {
  pattern: /^arn:aws(?:-[a-z]+)*:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/,
  allowed: 'an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:deployments',
};

export const DNS_NAME: Pattern = {
  pattern: /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
  allowed: 'a lowercase DNS name such as shop.example.com',
};

/** Route 53 shows a hosted zone's id as Z and uppercase letters and digits. */
export const HOSTED_ZONE_ID: Pattern = {
  pattern: /^Z[A-Z0-9]{1,31}$/,
  allowed:
    "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (the zone's page in the console shows it)",
};

/** An EC2 instance type: family, generation and attributes, then the size (`t3.small`, `m7g.large`). */
export const INSTANCE_TYPE: Pattern = {
  pattern: /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/,
  allowed: 'an EC2 instance type such as t3.small or m7g.large',
};

const REGISTRY = String.raw`(?:[a-zA-Z0-9.-]+(?::\d+)?/)?`;
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = String.raw`:[\w][\w.-]{0,127}`;
const DIGEST = '@sha256:[a-f0-9]{64}';

/** A pinned image reference: a tag or a digest is required, `latest` is not implied. */
export const IMAGE_REFERENCE: Pattern = {
  pattern: new RegExp(`^${REGISTRY}${COMPONENT}(?:/${COMPONENT})*(?:${TAG}(?:${DIGEST})?|${DIGEST})$`),
  allowed: 'an image reference with a tag or digest: repository:tag or repository@sha256:<64 hex digits>',
};

const SSM_PARAMETER = String.raw`(?:arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9_.\-/]+|/?[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*)`;
const SECRET_ID = String.raw`(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]+)`;

export const SECRET_SOURCE: Pattern = {
  pattern: new RegExp(`^(?:ssm:${SSM_PARAMETER}|secretsmanager:${SECRET_ID}(?::[^:\\s]+)?)$`),
  allowed:
    'ssm:<parameter name or ARN>, or secretsmanager:<secret ARN or name>, optionally followed by :<json-key>',
};

import { spawnSync } from 'node:child_process';
import { signedFetch } from './sigv4.js';

/**
 * Checks a raw JSON-protocol response body against botocore's model of the
 * operation's output, independently of the AWS SDK for JavaScript (whose
 * codec the local cloud itself uses): every member must be modeled, of its
 * modeled type, and enum values must be in the enum. Returns the problems,
 * one line each, empty when the body fits.
 */
const CHECKER = `
import json, sys
import botocore.session
service, operation = sys.argv[1], sys.argv[2]
shape = botocore.session.get_session().get_service_model(service).operation_model(operation).output_shape
problems = []
def check(s, v, path):
    t = s.type_name
    if t == 'structure':
        if not isinstance(v, dict): return problems.append(f'{path}: expected a structure')
        for k, item in v.items():
            if k not in s.members: problems.append(f'{path}.{k}: not in the model')
            else: check(s.members[k], item, f'{path}.{k}')
    elif t == 'list':
        if not isinstance(v, list): return problems.append(f'{path}: expected a list')
        for i, item in enumerate(v): check(s.member, item, f'{path}[{i}]')
    elif t == 'map':
        if not isinstance(v, dict): return problems.append(f'{path}: expected a map')
        for k, item in v.items(): check(s.value, item, f'{path}.{k}')
    elif t == 'string':
        if not isinstance(v, str): return problems.append(f'{path}: expected a string')
        if s.enum and v not in s.enum: problems.append(f'{path}: {v!r} is not one of {s.enum}')
    elif t in ('integer', 'long'):
        if not isinstance(v, int) or isinstance(v, bool): problems.append(f'{path}: expected an integer')
    elif t in ('float', 'double'):
        if not isinstance(v, (int, float)) or isinstance(v, bool): problems.append(f'{path}: expected a number')
    elif t == 'boolean':
        if not isinstance(v, bool): problems.append(f'{path}: expected a boolean')
    elif t == 'timestamp':
        if not isinstance(v, (int, float)) or isinstance(v, bool): problems.append(f'{path}: expected epoch seconds')
check(shape, json.load(sys.stdin), operation)
print(json.dumps(problems))
`;

/** Why botocore can't be used here, or undefined. */
export function botocoreUnavailableReason(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' });
  return probe.status === 0
    ? undefined
    : `python3 with botocore is not available (${probe.stderr || probe.error})`;
}

export function shapeProblems(service: string, operation: string, body: unknown): string[] {
  const result = spawnSync('python3', ['-c', CHECKER, service, operation], {
    input: JSON.stringify(body),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`botocore check failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

/** A JSON-protocol call over plain HTTP, answering the raw body (what the SDK would deserialize). */
/** The SigV4 service of a JSON-protocol target prefix, for the services these tests call. */
function signingNameOf(target: string): string {
  const prefix = target.split('.')[0] ?? '';
  const names: Record<string, string> = {
    AmazonEC2ContainerRegistry_V20150921: 'ecr',
    CodeBuild_20161006: 'codebuild',
    AmazonEC2ContainerServiceV20141113: 'ecs',
    AWSEvents: 'events',
    Logs_20140328: 'logs',
    AWSStepFunctions: 'states',
    DynamoDB_20120810: 'dynamodb',
  };
  return names[prefix] ?? prefix.toLowerCase();
}

export async function rawJsonCall(
  endpoint: string,
  target: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await signedFetch(endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
    service: signingNameOf(target),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

import { arns, lastSegment, parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import type { Iam } from '../../iam/provider.js';
import {
  IncompleteSignature,
  parseAuthorization,
  type ReceivedRequest,
  signingTime,
} from '../../iam/signature.js';
import { signatureMatches } from '../../iam/signature-match.js';
import type { IamIdentity } from './proxy-event.js';
import { gatewayAnswer, type HttpAnswer } from './proxy-response.js';

const SERVICE = 'execute-api';
/** How far a signature's time may be from API Gateway's clock. */
const SKEW_MS = 5 * 60 * 1000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export type Authorization = { identity: IamIdentity } | { refusal: HttpAnswer };

/** The keys whose signatures are verified, and what becomes of any other. */
export interface InvokeKeys {
  /** The secret of a key the local cloud issued: a role session's, and in strict mode its own. */
  secretOf(accessKeyId: string): string | undefined;
  /**
   * Strict mode: the local cloud's own access key, whose verified requests
   * are the account's; a key the cloud never issued is refused, as AWS
   * refuses a key it doesn't know. Otherwise such a key is the account's.
   */
  strictOwnKey?: string;
}

/**
 * API Gateway's AWS_IAM authorization of one request to `resource`
 * (`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`):
 * a SigV4 signature for execute-api in the API's region, on time; for keys
 * the local cloud issued, a signature that verifies with the key's secret
 * (the canonical request of `iam/signature-match.ts`, as strict mode's
 * service APIs check theirs) and, for a role's, policies that allow
 * `execute-api:Invoke` on the resource. Any other key is the account's own
 * (as the endpoint takes it everywhere else), or in strict mode refused.
 * Refusals are API Gateway's 403 answers.
 */
export async function authorizeIam(
  request: ReceivedRequest,
  resource: string,
  api: Scope,
  access: { iam: Iam; keys: InvokeKeys },
  sourceIp: string,
  now = new Date(),
): Promise<Authorization> {
  const { iam, keys } = access;
  const header = request.headers.authorization;
  if (header === undefined || header === '')
    return { refusal: gatewayAnswer(403, 'Forbidden', 'ForbiddenException') };
  let auth: ReturnType<typeof parseAuthorization>;
  try {
    auth = parseAuthorization(header, request.headers);
  } catch (err) {
    if (!(err instanceof IncompleteSignature)) throw err;
    return { refusal: gatewayAnswer(403, err.message, 'IncompleteSignatureException') };
  }
  const invalid = (message: string): Authorization => ({
    refusal: gatewayAnswer(403, message, 'InvalidSignatureException'),
  });
  if (auth.service !== SERVICE)
    return invalid(`Credential should be scoped to correct service: '${SERVICE}'. `);
  if (auth.region !== api.region) return invalid('Credential should be scoped to a valid region. ');
  const signedAt = signingTime(request.headers);
  if (!signedAt) return invalid(SIGNATURE_MISMATCH);
  const skew = signedAt.getTime() - now.getTime();
  if (skew < -SKEW_MS)
    return invalid(
      `Signature expired: ${amzDate(signedAt)} is now earlier than ${amzDate(new Date(now.getTime() - SKEW_MS))} (${amzDate(now)} - 5 min.)`,
    );
  if (skew > SKEW_MS)
    return invalid(
      `Signature not yet current: ${amzDate(signedAt)} is still later than ${amzDate(new Date(now.getTime() + SKEW_MS))} (${amzDate(now)} + 5 min.)`,
    );

  const secret = keys.secretOf(auth.accessKeyId);
  if (secret === undefined) {
    if (keys.strictOwnKey !== undefined)
      return { refusal: gatewayAnswer(403, INVALID_TOKEN, 'UnrecognizedClientException') };
    // A key the local cloud did not issue is the account's own (a 12-digit key names the account).
    return {
      identity: accountIdentity(
        auth.accessKeyId,
        /^\d{12}$/.test(auth.accessKeyId) ? auth.accessKeyId : api.accountId,
      ),
    };
  }
  if (!(await signatureMatches(request, auth, secret, signedAt))) return invalid(SIGNATURE_MISMATCH);
  if (auth.accessKeyId === keys.strictOwnKey)
    return { identity: accountIdentity(auth.accessKeyId, api.accountId) };
  const token = request.headers['x-amz-security-token'];
  const caller = iam.callerOf(auth.accessKeyId, typeof token === 'string' ? token : undefined);
  if (!caller) return invalid(SIGNATURE_MISMATCH);
  const denial = iam.authorize(caller, [{ action: 'execute-api:Invoke', resource }], {
    region: api.region,
    sourceIp,
  });
  if (denial)
    return {
      refusal: {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' },
        body: Buffer.from(JSON.stringify({ Message: denial.message })),
        gatewayError: denial.message,
      },
    };
  const roleArn = caller.roleArn;
  const accountId = parseArn(roleArn)?.accountId || api.accountId;
  const roleName = lastSegment(roleArn);
  const userId = `${iam.findRole(roleArn)?.roleId ?? 'AROAUNKNOWN'}:${caller.session}`;
  return {
    identity: {
      accessKey: auth.accessKeyId,
      accountId,
      callerId: userId,
      principalOrgId: null,
      userArn: arns.stsAssumedRole({ accountId, region: '' }, roleName, caller.session),
      userId,
    },
  };
}

function accountIdentity(accessKey: string, accountId: string): IamIdentity {
  return {
    accessKey,
    accountId,
    callerId: accountId,
    principalOrgId: null,
    userArn: arns.iamRoot({ accountId, region: '' }),
    userId: accountId,
  };
}

function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

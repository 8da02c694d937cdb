import { arns, lastSegment, parseArn } from '../../core/arns.js';
import type { Scope } from '../../core/scope.js';
import type { Iam } from '../../iam/provider.js';
import {
  IncompleteSignature,
  parseAuthorization,
  type ReceivedRequest,
  signatureMatches,
  signingTime,
} from '../../iam/signature.js';
import type { IamIdentity } from './proxy-event.js';
import { gatewayAnswer, type HttpAnswer } from './proxy-response.js';

const SERVICE = 'execute-api';
/** How far a signature's time may be from API Gateway's clock. */
const SKEW_MS = 5 * 60 * 1000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export type Authorization = { identity: IamIdentity } | { refusal: HttpAnswer };

/**
 * API Gateway's AWS_IAM authorization of one request to `resource`
 * (`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`):
 * a SigV4 signature for execute-api in the API's region, on time; for keys
 * the local cloud issued (its roles'), a signature that verifies with the
 * key's secret and a role whose policies allow `execute-api:Invoke` on the
 * resource. Any other key is taken as the account's own, as the endpoint
 * takes it everywhere else. Refusals are API Gateway's 403 answers.
 */
export async function authorizeIam(
  request: ReceivedRequest,
  resource: string,
  api: Scope,
  iam: Iam,
  sourceIp: string,
  now = new Date(),
): Promise<Authorization> {
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

  const secret = iam.secretOf(auth.accessKeyId);
  if (secret === undefined) {
    // A key the local cloud did not issue is the account's own (a 12-digit key names the account).
    const accountId = /^\d{12}$/.test(auth.accessKeyId) ? auth.accessKeyId : api.accountId;
    return {
      identity: {
        accessKey: auth.accessKeyId,
        accountId,
        callerId: accountId,
        principalOrgId: null,
        userArn: arns.iamRoot({ accountId, region: '' }),
        userId: accountId,
      },
    };
  }
  if (!(await signatureMatches(request, auth, secret, signedAt))) return invalid(SIGNATURE_MISMATCH);
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

function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

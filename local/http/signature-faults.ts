import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsError } from './aws-error.js';
import { writeJsonError } from './json-protocol.js';
import { writeQueryError } from './query-protocol.js';
import type { SignatureFault } from './signature-check.js';

/** How each protocol's services word a refused signature (AWS's codes and messages). */
const CODES: Record<'json' | 'query' | 's3', Record<SignatureFault, [string, string]>> = {
  json: {
    'unknown-key': ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
    mismatch: [
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    ],
    expired: [
      'InvalidSignatureException',
      'Signature expired: the request was signed more than 15 minutes from now.',
    ],
    malformed: [
      'IncompleteSignatureException',
      'The request signature is not a well-formed SigV4 signature.',
    ],
  },
  query: {
    'unknown-key': ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
    mismatch: [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    ],
    expired: ['RequestExpired', 'Request has expired.'],
    malformed: ['IncompleteSignature', 'The request signature is not a well-formed SigV4 signature.'],
  },
  s3: {
    'unknown-key': [
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    ],
    mismatch: [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ],
    expired: [
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    ],
    malformed: ['AuthorizationHeaderMalformed', 'The authorization header is malformed.'],
  },
};

/**
 * Answers a request whose signature strict mode refused, in the protocol of
 * the service it was for: 403 with that service's code.
 */
export function writeSignatureFault(
  res: ServerResponse,
  fault: SignatureFault,
  protocol: { kind: 'json' } | { kind: 'query'; namespace: string } | { kind: 's3' },
  requestId: string = randomUUID(),
): void {
  const [code, message] = CODES[protocol.kind][fault];
  const error = new AwsError(code, message, 403);
  if (protocol.kind === 'query') {
    writeQueryError(res, protocol.namespace, error, requestId);
    return;
  }
  if (protocol.kind === 'json') {
    writeJsonError(res, 'application/json', error, requestId);
    return;
  }
  res
    .writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': requestId })
    .end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
    );
}

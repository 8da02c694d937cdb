import { describe, expect, it } from '@jest/globals';
import { formatAccessLog, logGroupOfDestination } from '../../local/services/apigatewayv2/access-log.js';
import { type ProxyRequest, proxyEventV2 } from '../../local/services/apigatewayv2/proxy-event.js';
import { answerOfResult } from '../../local/services/apigatewayv2/proxy-response.js';

const receivedAt = new Date(Date.UTC(2026, 2, 12, 19, 3, 58, 390));

function request(overrides: Partial<ProxyRequest> = {}): ProxyRequest {
  return {
    method: 'POST',
    rawPath: '/deployments/a%20b',
    rawQueryString: 'x=1&x=2&flag&q=a+b',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'curl/8',
      cookie: 'a=1; b=2',
      'x-many': ['1', '2'],
    },
    body: Buffer.from('{"service":"web"}'),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    requestId: 'JKJaXmPLvHcESHA=',
    receivedAt,
    ...overrides,
  };
}

const target = {
  accountId: '000000000000',
  apiId: 'abcdefghij',
  domainName: 'abcdefghij.execute-api.us-east-1.amazonaws.com',
  stage: '$default',
  routeKey: 'POST /deployments/{id}',
  pathParameters: { id: 'a b' },
};

describe('the Lambda proxy event, payload format 2.0', () => {
  it('carries the request as API Gateway sends it', () => {
    expect(proxyEventV2(request(), target)).toEqual({
      version: '2.0',
      routeKey: 'POST /deployments/{id}',
      rawPath: '/deployments/a%20b',
      rawQueryString: 'x=1&x=2&flag&q=a+b',
      cookies: ['a=1', 'b=2'],
      headers: { 'content-type': 'application/json', 'user-agent': 'curl/8', 'x-many': '1,2' },
      queryStringParameters: { x: '1,2', flag: '', q: 'a b' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'abcdefghij',
        domainName: 'abcdefghij.execute-api.us-east-1.amazonaws.com',
        domainPrefix: 'abcdefghij',
        http: {
          method: 'POST',
          path: '/deployments/a b',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8',
        },
        requestId: 'JKJaXmPLvHcESHA=',
        routeKey: 'POST /deployments/{id}',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: receivedAt.getTime(),
      },
      body: '{"service":"web"}',
      pathParameters: { id: 'a b' },
      isBase64Encoded: false,
    });
  });

  it('names the IAM caller under authorizer.iam', () => {
    const iam = {
      accessKey: 'ASIAEXAMPLE',
      accountId: '000000000000',
      callerId: 'AROAEXAMPLE:bot',
      principalOrgId: null,
      userArn: 'arn:aws:sts::000000000000:assumed-role/Deployer/bot',
      userId: 'AROAEXAMPLE:bot',
    };
    expect(proxyEventV2(request(), { ...target, iam }).requestContext.authorizer).toEqual({
      iam: { ...iam, cognitoIdentity: null },
    });
  });

  it.each([
    ['application/x-www-form-urlencoded', true],
    ['application/octet-stream', true],
    [undefined, true],
    ['text/plain; charset=utf-8', false],
    ['application/vnd.api+json', false],
  ])('a %s body is base64-encoded: %s', (contentType, encoded) => {
    const headers = contentType ? { 'content-type': contentType } : {};
    const event = proxyEventV2(request({ headers, body: Buffer.from('a=1') }), target);
    expect(event.isBase64Encoded).toBe(encoded);
    expect(event.body).toBe(encoded ? Buffer.from('a=1').toString('base64') : 'a=1');
  });

  it('leaves out what the request has none of', () => {
    const event = proxyEventV2(request({ rawQueryString: '', headers: {}, body: Buffer.alloc(0) }), {
      ...target,
      pathParameters: {},
    });
    expect(Object.keys(event)).toEqual([
      'version',
      'routeKey',
      'rawPath',
      'rawQueryString',
      'headers',
      'requestContext',
      'isBase64Encoded',
    ]);
  });
});

describe('the HTTP answer of a function result, payload format 2.0', () => {
  it('takes an object with a statusCode as the response', () => {
    const answer = answerOfResult({
      statusCode: 202,
      headers: { 'Content-Type': 'application/json', 'X-Count': 3 },
      cookies: ['a=1; Secure', 'b=2'],
      body: '{"ok":true}',
    });
    expect(answer).toEqual({
      status: 202,
      headers: { 'content-type': 'application/json', 'x-count': '3', 'set-cookie': ['a=1; Secure', 'b=2'] },
      body: Buffer.from('{"ok":true}'),
    });
  });

  it('decodes a base64 body', () => {
    expect(answerOfResult({ statusCode: 200, body: 'aGk=', isBase64Encoded: true })?.body.toString()).toBe(
      'hi',
    );
  });

  it.each([
    ['an object without a statusCode', { message: 'hi' }, '{"message":"hi"}'],
    ['a string, as it is', 'Hello from Lambda!', 'Hello from Lambda!'],
    ['a number', 42, '42'],
    ['a list', [1, 2], '[1,2]'],
  ])('makes %s a 200 application/json body', (_what, result, body) => {
    expect(answerOfResult(result)).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
    });
  });

  it.each([
    ['a statusCode that is not an integer', { statusCode: '200' }],
    ['a statusCode out of range', { statusCode: 999 }],
    ['a body that is not a string', { statusCode: 200, body: { a: 1 } }],
    ['headers that are not an object', { statusCode: 200, headers: 'x' }],
    ['a header value with a line break', { statusCode: 200, headers: { a: 'x\r\nInjected: 1' } }],
    ['cookies that are not strings', { statusCode: 200, cookies: [1] }],
  ])('refuses %s (API Gateway answers 500)', (_what, result) => {
    expect(answerOfResult(result)).toBeUndefined();
  });
});

describe('access log lines', () => {
  const format = JSON.stringify({
    requestId: '$context.requestId',
    caller: '$context.identity.userArn',
    route: '$context.routeKey',
    status: '$context.status',
    latencyMs: '$context.responseLatency',
    unknown: '$context.noSuchVariable',
  });

  it('substitutes $context variables, and - for those without a value', () => {
    const line = formatAccessLog(format, {
      requestId: 'id=',
      'identity.userArn': 'arn:aws:iam::000000000000:root',
      routeKey: 'POST /deployments',
      status: 202,
      responseLatency: 12,
    });
    expect(JSON.parse(line)).toEqual({
      requestId: 'id=',
      caller: 'arn:aws:iam::000000000000:root',
      route: 'POST /deployments',
      status: '202',
      latencyMs: '12',
      unknown: '-',
    });
  });

  it('keeps a JSON format parseable whatever a value holds', () => {
    const line = formatAccessLog('{"route":"$context.routeKey"}', { routeKey: 'GET /"quoted"\\path' });
    expect(JSON.parse(line)).toEqual({ route: 'GET /"quoted"\\path' });
  });

  it.each([
    ['arn:aws:logs:us-east-1:000000000000:log-group:api-access:*', 'api-access'],
    ['arn:aws:logs:us-east-1:000000000000:log-group:/aws/api/x', '/aws/api/x'],
    ['arn:aws:s3:::bucket', undefined],
  ])('the destination %s is the log group %s', (arn, group) => {
    expect(logGroupOfDestination(arn)).toBe(group);
  });
});

import { type CaseRow, cases, json } from './case.js';

const createCluster = json('ecs', 'AmazonEC2ContainerServiceV20141113.CreateCluster', {
  clusterName: 'from-a-page',
});
const SIGNATURE = `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`;

/** What a web page, or DNS rebinding, could send: refused before any service sees it. */
const rows: CaseRow[] = [
  [
    'a signed request from another origin',
    { ...createCluster, headers: { ...createCluster.headers, origin: 'https://evil.example' } },
    403,
    'AccessDeniedException',
  ],
  [
    'a signed request from another site',
    { ...createCluster, headers: { ...createCluster.headers, 'sec-fetch-site': 'cross-site' } },
    403,
    'AccessDeniedException',
  ],
  [
    'a request to a rebound host name',
    { ...createCluster, host: 'evil.example:4566' },
    403,
    'AccessDeniedException',
  ],
  ['a request with an empty Host', { ...createCluster, host: '' }, 403, 'AccessDeniedException'],
  ['an unsigned request', { ...createCluster, sign: undefined }, 403, 'MissingAuthenticationTokenException'],
  [
    'a signature that is not SigV4',
    {
      ...createCluster,
      sign: undefined,
      headers: { ...createCluster.headers, authorization: 'Basic YWRtaW46YWRtaW4=' },
    },
    403,
    'MissingAuthenticationTokenException',
  ],
  [
    'a forged-looking header with a bad signature shape',
    {
      ...createCluster,
      sign: undefined,
      headers: { ...createCluster.headers, authorization: `${SIGNATURE}zz` },
    },
    403,
    'MissingAuthenticationTokenException',
  ],
  [
    'a form post from a page',
    {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'Action=CreateTargetGroup&Name=page',
    },
    403,
    'AccessDeniedException',
  ],
  [
    'the registry from another origin',
    { method: 'GET', path: '/v2/hostile/repo/tags/list', headers: { origin: 'https://evil.example' } },
    403,
    'AccessDeniedException',
  ],
  [
    'the console from another site',
    { method: 'GET', path: '/_stepship/console/', headers: { 'sec-fetch-site': 'cross-site' } },
    403,
    'AccessDeniedException',
  ],
  [
    'the console at a rebound host name',
    { method: 'GET', path: '/_stepship/console/', host: 'evil.example' },
    403,
    'AccessDeniedException',
  ],
];

export const GUARD_CASES = cases(rows);

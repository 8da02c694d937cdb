import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../core/scope.js';
import { AwsError } from '../http/aws-error.js';
import { credentialScope } from '../http/endpoint.js';
import { readBody, writeJsonError } from '../http/json-protocol.js';
import { writeQueryError } from '../http/query-protocol.js';
import { replay } from '../http/replay.js';
import type { Denial } from './decision.js';
import type { Caller, Iam } from './provider.js';
import { JSON_RULES, QUERY_RULES, REST_RULES } from './requests/catalog.js';
import type { Check } from './requests/rules.js';

/**
 * The endpoint's IAM step, between its guard and its dispatch: a request
 * signed with credentials the local cloud issued to a role (a function's, a
 * task's) is checked against that role's policies, by the same routing the
 * endpoint dispatches with (X-Amz-Target, else the signed service), and
 * refused with the service's own AccessDenied error. Requests signed with any
 * other key pass unchecked, as LocalStack serves them by default.
 */
export class RequestScreen {
  constructor(private readonly iam: Iam) {}

  /**
   * The request to dispatch (a replay of it when its body had to be read),
   * or undefined when it was refused and the refusal has been written.
   */
  async screen(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    ctx: RequestContext,
  ): Promise<IncomingMessage | undefined> {
    const caller = this.callerOf(req, url);
    if (!caller) return req;
    const origin = { region: ctx.region, sourceIp: sourceIp(req) };
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const dot = target.indexOf('.');
      const prefix = dot < 0 ? target : target.slice(0, dot);
      const service = JSON_RULES.get(prefix);
      if (!service) return req;
      const body = await readBody(req);
      const checks = service.rules.checks(dot < 0 ? '' : target.slice(dot + 1), jsonObject(body), ctx);
      const denial = this.iam.authorize(caller, checks, origin);
      if (!denial) return replay(req, body);
      writeJsonError(
        res,
        `application/x-amz-json-${service.jsonVersion}`,
        new AwsError('AccessDeniedException', denial.message, 400),
      );
      return undefined;
    }
    const signedFor = credentialScope(req)?.service ?? '';
    const rest = REST_RULES.get(signedFor);
    if (rest) {
      const checks: Check[] = rest(req.method ?? 'GET', url, req.headers, ctx);
      const denial = checks.length > 0 ? this.iam.authorize(caller, checks, origin) : undefined;
      if (!denial) return req;
      req.resume();
      writeRestDenial(res, signedFor, denial, ctx.requestId);
      return undefined;
    }
    const query = QUERY_RULES.get(signedFor);
    if (!query) return req;
    const body = await readBody(req, 1024 * 1024);
    const form = new URLSearchParams(body.toString('utf8'));
    const checks = query.rules.checks(form.get('Action') ?? '', Object.fromEntries(form), ctx);
    const denial = this.iam.authorize(caller, checks, origin);
    if (!denial) return replay(req, body);
    writeQueryError(res, query.namespace, new AwsError('AccessDenied', denial.message, 403), ctx.requestId);
    return undefined;
  }

  private callerOf(req: IncomingMessage, url: URL): Caller | undefined {
    const scope = credentialScope(req);
    const accessKeyId = scope?.accessKeyId ?? url.searchParams.get('X-Amz-Credential')?.split('/')[0];
    if (!accessKeyId) return undefined;
    const header = req.headers['x-amz-security-token'];
    const token =
      typeof header === 'string' ? header : (url.searchParams.get('X-Amz-Security-Token') ?? undefined);
    return this.iam.callerOf(accessKeyId, token);
  }
}

/** The body as a JSON object; anything else is left for the service to refuse, and names no resource here. */
function jsonObject(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function sourceIp(req: IncomingMessage): string | undefined {
  return req.socket.remoteAddress?.replace(/^::ffff:/, '');
}

/** S3 answers in its XML error document, Lambda in REST-JSON; both with 403. */
function writeRestDenial(res: ServerResponse, service: string, denial: Denial, requestId: string): void {
  if (service === 's3') {
    res
      .writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': requestId })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${escapeXml(denial.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
      );
    return;
  }
  res
    .writeHead(403, {
      'content-type': 'application/json',
      'x-amzn-errortype': 'AccessDeniedException',
      'x-amzn-requestid': requestId,
    })
    .end(JSON.stringify({ Type: 'User', Message: denial.message }));
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

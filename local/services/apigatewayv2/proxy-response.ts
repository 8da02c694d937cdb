/** An HTTP answer API Gateway sends its client. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** API Gateway's own error message (not a function's answer), for `$context.error.message`. */
  gatewayError?: string;
}

/** API Gateway's own answers, each `{"message": …}` with `x-amzn-errortype` where AWS sends one. */
export function gatewayAnswer(status: number, message: string, errorType?: string): HttpAnswer {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    },
    body: Buffer.from(JSON.stringify({ message })),
    gatewayError: message,
  };
}

export const internalServerError = () => gatewayAnswer(500, 'Internal Server Error');
export const notFound = () => gatewayAnswer(404, 'Not Found');
export const forbidden = () => gatewayAnswer(403, 'Forbidden', 'ForbiddenException');

/**
 * The HTTP answer of a function's result, as payload format 2.0 maps it: an
 * object with `statusCode` is the response itself (headers, cookies, body,
 * base64); any other JSON value is a 200 `application/json` body (a string
 * as it is, anything else as JSON). A malformed response is API Gateway's
 * 500, as AWS answers it; undefined stands for that.
 */
export function answerOfResult(result: unknown): HttpAnswer | undefined {
  if (typeof result !== 'object' || result === null || Array.isArray(result) || !('statusCode' in result))
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null')),
    };
  const r = result as Record<string, unknown>;
  const status = r.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    return undefined;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
  const headers: Record<string, string | string[]> = {};
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers)) return undefined;
    for (const [name, value] of Object.entries(r.headers)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) return undefined;
      if (!isHeaderName(name) || /[\r\n]/.test(String(value))) return undefined;
      headers[name.toLowerCase()] = String(value);
    }
  }
  if (r.cookies !== undefined && r.cookies !== null) {
    if (!Array.isArray(r.cookies) || !r.cookies.every((c) => typeof c === 'string' && !/[\r\n]/.test(c)))
      return undefined;
    if (r.cookies.length > 0) headers['set-cookie'] = r.cookies as string[];
  }
  const text = typeof r.body === 'string' ? r.body : '';
  return {
    status,
    headers,
    body: r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}

const isHeaderName = (name: string) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);

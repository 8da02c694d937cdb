/**
 * A request as an AWS client sends it, without a client: the SigV4
 * credential scope names the service and region (the local cloud routes by
 * it and does not check signatures), so tests can read raw response bytes.
 */
export async function rawAwsRequest(
  endpoint: string,
  request: {
    service: string;
    method?: string;
    path?: string;
    target?: string;
    contentType?: string;
    body?: string;
    region?: string;
  },
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const headers: Record<string, string> = {
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${request.region ?? 'us-east-1'}/${request.service}/aws4_request, SignedHeaders=host, Signature=0`,
    'x-amz-date': '20260101T000000Z',
  };
  if (request.target) headers['x-amz-target'] = request.target;
  if (request.contentType) headers['content-type'] = request.contentType;
  const response = await fetch(`${endpoint}${request.path ?? '/'}`, {
    method: request.method ?? 'POST',
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

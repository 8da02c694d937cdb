import { signedFetch } from './sigv4.js';

/**
 * A request as an AWS client sends it, without a client: signed with SigV4
 * (the local cloud routes by the credential scope and refuses unsigned
 * requests), so tests can send exact bytes and read raw response bytes.
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
  const headers: Record<string, string> = {};
  if (request.target) headers['x-amz-target'] = request.target;
  if (request.contentType) headers['content-type'] = request.contentType;
  const response = await signedFetch(`${endpoint}${request.path ?? '/'}`, {
    method: request.method ?? 'POST',
    headers,
    service: request.service,
    ...(request.region ? { region: request.region } : {}),
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

import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

/** A request exactly as a hostile client would send it: any method, path, headers and bytes. */
export interface RawRequest {
  method?: string;
  /** Sent as is (no normalization): `/v2/%2e%2e/…` stays what it is. */
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sign with SigV4 for this service (the credential scope's name); unsigned when absent. */
  sign?: string;
  /** The Host header; the endpoint's own address when absent. */
  host?: string;
  region?: string;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The error code the answer carries, in whichever format the service words errors. */
  code: string | undefined;
}

const CREDENTIALS = { accessKeyId: 'AKIDHOSTILE', secretAccessKey: 'hostile-secret' };

/** Sends `raw` to the endpoint at `base` over a fresh connection and reads the whole answer. */
export async function sendRaw(base: string, raw: RawRequest): Promise<RawAnswer> {
  const url = new URL(base);
  const body = raw.body === undefined ? Buffer.alloc(0) : Buffer.from(raw.body);
  const method = raw.method ?? 'POST';
  const path = raw.path ?? '/';
  let headers: Record<string, string> = {
    host: raw.host ?? url.host,
    'content-length': String(body.length),
    // As SDKs send them: a server that answers early then reads the rest of the body, rather than closing.
    connection: 'keep-alive',
    ...raw.headers,
  };
  if (raw.sign) headers = await sign(raw.sign, raw.region ?? 'us-east-1', method, url, path, headers, body);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      { host: url.hostname, port: Number(url.port), method, path, headers, agent: false, setHost: false },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            code: errorCode(res.headers, text),
          });
        });
        res.on('error', reject);
      },
    );
    // A server may answer before reading a large body and close: the answer still counts.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
      else setTimeout(() => answered || reject(err), 2000);
    });
    req.end(body);
  });
}

/** Signs what will be sent, as an SDK signs it (the path and query exactly as given). */
async function sign(
  service: string,
  region: string,
  method: string,
  url: URL,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: CREDENTIALS, region, service, sha256: Sha256 });
  const [pathname = '/', search = ''] = path.split('?');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) query[k] = v;
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: pathname,
    query,
    headers,
    body,
  });
  return signed.headers;
}

/** The code of an error answer: `x-amzn-errortype`, a JSON `__type` or registry `errors[0].code`, or XML `<Code>`. */
function errorCode(headers: RawAnswer['headers'], text: string): string | undefined {
  const header = headers['x-amzn-errortype'];
  if (typeof header === 'string') return header.split(':')[0];
  try {
    const json = JSON.parse(text) as { __type?: unknown; errors?: { code?: unknown }[] };
    if (typeof json.__type === 'string') return json.__type.split('#').pop();
    if (typeof json.errors?.[0]?.code === 'string') return json.errors[0].code;
  } catch {
    // not JSON: XML, HTML or nothing
  }
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret as string));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

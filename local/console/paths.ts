/** Where the console lives on the local cloud's endpoint (exempt from SigV4: see http/guard.ts). */
export const CONSOLE_BASE = '/_stepship/console';

/** An absolute path under the console, with its query. */
export function consolePath(path: string, query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return `${CONSOLE_BASE}/${path}${search ? `?${search}` : ''}`;
}

export const executionPath = (executionArn: string) => consolePath('execution', { arn: executionArn });

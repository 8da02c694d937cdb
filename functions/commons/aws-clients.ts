/**
 * Options for every SDK client of the steps. Region, credentials and endpoint
 * come from the environment (AWS_REGION, the function's role, AWS_ENDPOINT_URL
 * on the local cloud). The SDK retries throttling and 5xx itself, with
 * jittered backoff, before the state machine's own Retry takes over.
 */
export const AWS_CLIENT_CONFIG = { maxAttempts: 5 } as const;

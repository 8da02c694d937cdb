/** Static credentials for loopback endpoints (dynalite and the local cloud accept any). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' } as const;
export const LOCAL_REGION = 'us-east-1';

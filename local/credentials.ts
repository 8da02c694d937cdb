/**
 * The credentials the local cloud's own clients (and the stepship command)
 * sign with: not issued to any role, so unchecked by IAM, and not a 12-digit
 * key id, so in the default account. A module of its own so a client can
 * use them without loading the local cloud.
 */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'stepship-local',
  secretAccessKey: 'stepship-local',
} as const;

/** Input grammar shared by validation and the steps. */
export const SERVICE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,31}$/;
/** Docker/ECR tag grammar. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** `s3://bucket/key.zip`: S3's bucket naming and a conservative key alphabet. */
export const S3_SOURCE = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/([A-Za-z0-9!_.*'()/-]{1,1000}\.zip)$/;
/** Printable ASCII without quotes, backslashes or shell metacharacters. */
export const REQUESTER = /^[A-Za-z0-9:/@._+=,-]{1,256}$/;

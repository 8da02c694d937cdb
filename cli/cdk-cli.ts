import { createRequire } from 'node:module';

/** The CDK CLI release stepship depends on: one that reads what its aws-cdk-lib synthesizes. */
export const CDK_CLI_VERSION: string =
  (createRequire(import.meta.url)('../package.json') as { dependencies: Record<string, string> })
    .dependencies['aws-cdk'] ?? '2';

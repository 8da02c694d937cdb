import type { Architecture } from '@aws-sdk/client-lambda';
import type { Scope } from '../../core/scope.js';
import type { Permission } from './resource-policy.js';
import type { WarmFunction } from './warm-function.js';

/** A function as provisioning describes it (from the template's AWS::Lambda::Function). */
export interface FunctionDefinition {
  name: string;
  /** The bundle's entry file (cdk.out/asset.…/index.mjs). */
  bundle: string;
  /** The export the handler names (`handler` of `index.handler`). */
  handlerName: string;
  /** The handler setting as the template gives it (default `index.<handlerName>`). */
  handler?: string;
  /** What the worker runs with: the template's variables plus what reaches the local cloud. */
  environment: Record<string, string>;
  /** The template's own variables, as GetFunction answers them (defaults to none). */
  variables?: Record<string, string>;
  timeoutSeconds: number;
  logGroup: string;
  runtime?: string;
  role?: string;
  memorySize?: number;
  description?: string;
  architectures?: Architecture[];
}

export interface LambdaFunction {
  scope: Scope;
  arn: string;
  definition: FunctionDefinition;
  /** As Lambda formats it: `2026-11-23T10:00:00.000+0000`. */
  lastModified: string;
  revisionId: string;
  warm: WarmFunction;
  /** The resource-based policy's statements (AddPermission, AWS::Lambda::Permission). */
  policy: Permission[];
}

/** The only version the local cloud has: functions are never published. */
export const LATEST = '$LATEST';

/** Lambda's state in one account and region: functions by name. */
export class LambdaStore {
  readonly functions = new Map<string, LambdaFunction>();
}

/**
 * The stack names of an app, as CloudFormation and the CLI know them. Apart
 * from app.ts so that what only needs the names (the stepship command) does
 * not load the CDK.
 */
export function stackNames(appName: string): { app: string; pipeline: string } {
  return { app: `Stepship-${appName}-App`, pipeline: `Stepship-${appName}-Pipeline` };
}

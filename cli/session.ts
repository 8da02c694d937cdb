import type { Command } from 'commander';
import type { AppModel, ServiceModel } from '../manifest/model.js';
import { loadApp, localPaths } from './app-context.js';
import { explainAwsError } from './connection/aws-errors.js';
import { type AwsClients, awsClients, destroyClients } from './connection/clients.js';
import { type Connection, resolveConnection, type WhereFlags } from './connection/connection.js';
import { type AppResources, findResources } from './connection/resources.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/** What every command that talks to AWS or the local cloud starts from. */
export interface Session {
  app: AppModel;
  stateDir: string;
  where: Connection;
  clients: AwsClients;
  resources: AppResources;
}

/** The options of every such command: where to go, and JSON for scripts. */
export function whereOptions(command: Command): Command {
  return command
    .option(
      '--endpoint <url>',
      "a local cloud's endpoint (default: the app's running `stepship start`, else AWS)",
    )
    .option('--aws', 'AWS, even while `stepship start` serves the app locally')
    .option('--json', 'print one JSON document, for scripts');
}

export interface CommonFlags extends WhereFlags {
  json?: boolean;
}

/** The app of `--app DIR` (or the current folder), read before anything is asked of AWS. */
export function appOf(command: Command): AppModel {
  return loadApp(command.optsWithGlobals<{ app?: string }>().app);
}

export interface SessionOptions {
  /** Refuse AWS with this message: the command runs against the local cloud only. */
  localOnly?: string;
}

/**
 * Finds where the app runs and its resources (the stacks' outputs), runs
 * `work`, and closes the clients whatever happens. Commands check their
 * arguments before calling it, so a usage error never waits on the network.
 */
export async function withSession<T>(
  app: AppModel,
  flags: CommonFlags,
  work: (session: Session) => Promise<T>,
  options: SessionOptions = {},
): Promise<T> {
  const { stateDir } = localPaths(app);
  const where = await resolveConnection(app, stateDir, flags);
  if (options.localOnly && where.target !== 'local') throw new UsageError(options.localOnly);
  const clients = awsClients(where);
  try {
    const resources = await findResources(clients, app, where);
    return await work({ app, stateDir, where, clients, resources });
  } catch (err) {
    throw explainAwsError(err, where) ?? err;
  } finally {
    destroyClients(clients);
  }
}

/** The services named (all of them when none is), in dependsOn order; an unknown name is a usage error. */
export function servicesNamed(app: AppModel, names: string[]): ServiceModel[] {
  for (const name of names) serviceNamed(app, name);
  return names.length === 0 ? app.services : app.services.filter((s) => names.includes(s.name));
}

/** The named service, or the app's only one; an unknown or missing name is a usage error. */
export function serviceNamed(app: AppModel, name: string | undefined): ServiceModel {
  const known = app.services.map((s) => s.name).join(', ');
  if (name === undefined) {
    if (app.services.length === 1) return app.services[0] as ServiceModel;
    throw new UsageError(`Name a service: the app ${app.name} has ${known}`);
  }
  const service = app.services.find((s) => s.name === name);
  if (!service) throw new UsageError(`Unknown service "${name}": the app ${app.name} has ${known}`);
  return service;
}

/** Prints `value` as JSON with --json, else the lines `text` gives. */
export function report(io: Io, json: boolean | undefined, value: unknown, text: () => string[]): void {
  if (json) io.out(JSON.stringify(value, null, 2));
  else for (const line of text()) io.out(line);
}

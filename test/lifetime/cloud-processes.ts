import { readdirSync, readFileSync } from 'node:fs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { eventually } from '../helpers/eventually.js';

/** Pids of this machine's processes whose command line contains `marker`. */
export function processesMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      // A zombie has an empty command line: it has ended, and only waits for its parent.
      if (cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // gone while reading
    }
  }
  return pids;
}

/** The local cloud's reaper for the cloud process `cloudPid`. */
export function reaperOf(cloudPid: number): number | undefined {
  return processesMatching(`"cloudPid":${cloudPid},`).find((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('reaper.mjs'),
  );
}

/** A service of `count` tasks running `container`, started and waited for until every task is RUNNING. */
export async function runService(
  ecs: ECSClient,
  name: string,
  container: {
    image: string;
    command?: string[];
    entryPoint?: string[];
    portMappings?: { containerPort: number }[];
  },
  count = 2,
): Promise<string[]> {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      networkMode: 'awsvpc',
      containerDefinitions: [{ name: 'app', stopTimeout: 2, ...container }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: name,
      serviceName: name,
      taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      desiredCount: count,
    }),
  );
  return eventually(
    `${count} running tasks of ${name}`,
    async () => {
      const listed = await ecs.send(new ListTasksCommand({ cluster: name, serviceName: name }));
      if ((listed.taskArns ?? []).length < count) return undefined;
      const described = await ecs.send(new DescribeTasksCommand({ cluster: name, tasks: listed.taskArns }));
      const running = (described.tasks ?? []).filter((t) => t.lastStatus === 'RUNNING');
      return running.length >= count ? running.map((t) => t.taskArn ?? '') : undefined;
    },
    120_000,
  );
}

/** SIGKILL, and the exit. */
export async function kill9(pid: number, exited?: Promise<unknown>): Promise<void> {
  process.kill(pid, 'SIGKILL');
  if (exited) await exited;
}

import { randomBytes } from 'node:crypto';
import { docker } from '../docker/docker-cli.js';

export const NETWORK_LABEL = 'stepship.local-cloud=network';

/**
 * A user-defined bridge network of one local cloud, its tasks' containers on
 * it: each container has its own network namespace (as a Fargate task has), so
 * an app listening on every interface listens only inside it; its ports are
 * published on the task's loopback address alone. The bridge's gateway is
 * this machine's address on the network, where the local cloud's endpoint and
 * metadata server listen for the containers.
 */
export class DockerNetwork {
  private constructor(
    readonly name: string,
    readonly gateway: string,
  ) {}

  /** `labels`: `--label` options naming the local cloud that owns it (see lifeline.ts). */
  static async create(labels: string[] = []): Promise<DockerNetwork> {
    const name = `stepship-${randomBytes(4).toString('hex')}`;
    await docker(['network', 'create', '--driver', 'bridge', '--label', NETWORK_LABEL, ...labels, name]);
    try {
      const gateway = await docker([
        'network',
        'inspect',
        '--format',
        '{{range .IPAM.Config}}{{.Gateway}} {{end}}',
        name,
      ]);
      const ipv4 = gateway.split(/\s+/).find((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address));
      if (!ipv4) throw new Error(`Docker network ${name} has no IPv4 gateway (${gateway || 'none'})`);
      return new DockerNetwork(name, ipv4);
    } catch (err) {
      await docker(['network', 'rm', name]).catch(() => undefined);
      throw err;
    }
  }

  /** The container's address on this network (where its ports are reachable from this machine). */
  async addressOf(containerId: string): Promise<string | undefined> {
    const address = await docker([
      'inspect',
      '--format',
      `{{with index .NetworkSettings.Networks "${this.name}"}}{{.IPAddress}}{{end}}`,
      containerId,
    ]).catch(() => '');
    return address || undefined;
  }

  async remove(): Promise<void> {
    await docker(['network', 'rm', this.name]).catch(() => undefined);
  }
}

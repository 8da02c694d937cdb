import { connect, createServer, type Server, type Socket } from 'node:net';
import type { PortMapping } from '@aws-sdk/client-ecs';
import { RESERVED_PORTS } from './container-instances.js';
import type { ContainerInstance, NetworkBinding, Task } from './store.js';

/**
 * The dynamic host port range: Linux's default ip_local_port_range, which
 * the ECS agent reads on the instance (AWS documents 49153–65535 only as the
 * fallback when it can't), within the 32768–65535 the stack's instance
 * security group opens to the load balancer.
 */
export const EPHEMERAL_PORTS = { first: 32768, last: 60999 };

/** Where a task's target in a target group is: ip:containerPort on Fargate, instance:hostPort in bridge mode. */
export function targetOf(task: Task, containerPort: number): { id: string; port: number; host: string } {
  const binding = task.networkBindings?.find((b) => b.containerPort === containerPort);
  if (task.host && binding)
    return { id: task.host.ec2InstanceId, port: binding.hostPort, host: task.host.address };
  return { id: task.ip, port: containerPort, host: task.ip };
}

interface Published {
  instance: ContainerInstance;
  ports: number[];
  servers: Server[];
  sockets: Set<Socket>;
}

/**
 * A bridge task's port mappings, published on its instance's address: each
 * container port on a host port (the mapping's own, or a free one of the
 * ephemeral range, never one in use), with a TCP forwarder from
 * instance:hostPort to the task's own address — what Docker's userland
 * proxy does on an instance. The task keeps its own address, so the task
 * runtime's per-task isolation (and the Docker runtime's) stays as it is.
 */
export class HostPorts {
  private readonly published = new Map<string, Published>();
  private cursor = EPHEMERAL_PORTS.first;

  /**
   * Opens the task's forwarders. The task is known here only once all are
   * open, so a stop that comes meanwhile finds nothing to close: the caller
   * checks for it afterwards and unpublishes then.
   */
  async publish(task: Task, instance: ContainerInstance, mappings: PortMapping[]): Promise<NetworkBinding[]> {
    const entry: Published = { instance, ports: [], servers: [], sockets: new Set() };
    const bindings: NetworkBinding[] = [];
    try {
      for (const mapping of mappings) {
        if (!mapping.containerPort) continue;
        const hostPort = await this.open(entry, task.ip, mapping);
        bindings.push({
          bindIP: '0.0.0.0',
          containerPort: mapping.containerPort,
          hostPort,
          protocol: mapping.protocol === 'udp' ? 'udp' : 'tcp',
        });
      }
    } catch (err) {
      await this.close(entry);
      throw err;
    }
    this.published.set(task.taskArn, entry);
    return bindings;
  }

  /** One mapping's forwarder, on its own host port or a free one of the range; answers the port. */
  private async open(entry: Published, taskIp: string, mapping: PortMapping): Promise<number> {
    const { instance } = entry;
    const fixed = mapping.hostPort && mapping.hostPort > 0 ? mapping.hostPort : undefined;
    // A port another program on this machine holds is skipped, as the agent skips one in use.
    for (let attempt = 0; attempt < (fixed ? 1 : 50); attempt++) {
      const hostPort = fixed ?? this.nextFree(instance);
      instance.hostPortsInUse.add(hostPort);
      const server = await this.forward(
        entry,
        instance.address,
        hostPort,
        taskIp,
        mapping.containerPort ?? 0,
      ).catch(() => undefined);
      if (server) {
        entry.servers.push(server);
        entry.ports.push(hostPort);
        return hostPort;
      }
      instance.hostPortsInUse.delete(hostPort);
    }
    throw new Error(
      `no host port free on ${instance.ec2InstanceId} for container port ${mapping.containerPort}`,
    );
  }

  /** Closes the task's forwarders and frees its host ports. */
  async unpublish(task: Task): Promise<void> {
    const entry = this.published.get(task.taskArn);
    if (!entry) return;
    this.published.delete(task.taskArn);
    await this.close(entry);
  }

  private async close(entry: Published): Promise<void> {
    for (const socket of entry.sockets) socket.destroy();
    await Promise.all(entry.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const port of entry.ports) entry.instance.hostPortsInUse.delete(port);
  }

  private nextFree(instance: ContainerInstance): number {
    const size = EPHEMERAL_PORTS.last - EPHEMERAL_PORTS.first + 1;
    for (let i = 0; i < size; i++) {
      const port = EPHEMERAL_PORTS.first + ((this.cursor - EPHEMERAL_PORTS.first + i) % size);
      if (instance.hostPortsInUse.has(port) || RESERVED_PORTS.includes(port)) continue;
      this.cursor = port + 1;
      return port;
    }
    throw new Error(`no ephemeral port left on ${instance.ec2InstanceId}`);
  }

  private forward(
    entry: Published,
    address: string,
    port: number,
    toHost: string,
    toPort: number,
  ): Promise<Server> {
    const server = createServer((inbound) => {
      entry.sockets.add(inbound);
      const outbound = connect({ host: toHost, port: toPort });
      entry.sockets.add(outbound);
      const close = () => {
        inbound.destroy();
        outbound.destroy();
        entry.sockets.delete(inbound);
        entry.sockets.delete(outbound);
      };
      inbound.on('error', close).on('close', close);
      outbound.on('error', close).on('close', close);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}

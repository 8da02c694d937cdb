import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { servedHostnames } from '../tls/aws-hostnames.js';
import { createAwsTlsServer } from '../tls/aws-tls-server.js';
import type { LocalCa } from '../tls/local-ca.js';
import { DockerNetwork } from './docker-network.js';
import type { Lifeline } from './lifeline.js';

/** Preloaded into every Node task process: listens on the task's address, AWS host names to the local cloud. */
const PRELOAD = new URL('./task-preload.mjs', import.meta.url);
const CA_IN_CONTAINER = '/etc/stepship/ca.pem';
const BUNDLE_IN_CONTAINER = '/etc/stepship/trust-bundle.pem';
const HTTPS_PORT = 443;

export interface TaskNetworkOptions {
  /** The loopback address the local cloud listens on. */
  host: string;
  /** The plain endpoint, as task processes on this machine reach it. */
  endpointUrl: string;
  region: string;
  ca: LocalCa;
  /** Tasks run as containers: they get a network of their own. */
  containers: boolean;
  /** What ties tasks to the local cloud's life: their variables, their containers' and network's labels. */
  lifeline: Lifeline;
}

/** Where containers reach the local cloud: the gateway of the local cloud's own bridge network. */
interface ContainerSide {
  network: DockerNetwork;
  endpointUrl: string;
  /** Whether AWS's host names can point at the gateway: its HTTPS endpoint is on 443, as theirs. */
  awsHostnames: boolean;
}

/**
 * What tasks reach and how they are reached, so that apps written for
 * Fargate run unchanged: each task's ports on its own address, AWS's endpoints
 * (by AWS_ENDPOINT_URL, or by their own host names over TLS with the local CA),
 * the metadata endpoint. Task processes get a Node preload and variables;
 * containers get a bridge network of the local cloud's, with the endpoint
 * served on its gateway.
 */
export class TaskNetwork {
  /** host:port of the HTTPS endpoint that answers for AWS's host names, on loopback. */
  httpsEndpoint = '';
  private containerSide: ContainerSide | undefined;
  private readonly servers: Server[] = [];
  private handler: RequestListener = (_req, res) => {
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end('{"message":"The local cloud is starting"}');
  };

  private constructor(private readonly options: TaskNetworkOptions) {}

  static async start(options: TaskNetworkOptions): Promise<TaskNetwork> {
    const network = new TaskNetwork(options);
    try {
      await network.open();
    } catch (err) {
      await network.close();
      throw err;
    }
    return network;
  }

  /** The endpoint's request handler, for the listeners opened here. */
  serve(handler: RequestListener): void {
    this.handler = handler;
  }

  /** The container network's gateway, where the metadata server must listen too; undefined for processes. */
  get containerGateway(): string | undefined {
    return this.containerSide?.network.gateway;
  }

  /** `host:port` of the plain endpoint on the container network's gateway, when containers run. */
  get containerEndpointHost(): string | undefined {
    const url = this.containerSide?.endpointUrl;
    return url ? new URL(url).host : undefined;
  }

  get containerNetworkName(): string | undefined {
    return this.containerSide?.network.name;
  }

  /** The variables a Node task process on this machine needs, besides its task's own. */
  processEnvironment(taskIp: string): Record<string, string> {
    const { ca, endpointUrl } = this.options;
    return {
      HOST: taskIp,
      AWS_ENDPOINT_URL: endpointUrl,
      STEPSHIP_TASK_IP: taskIp,
      STEPSHIP_AWS_HTTPS_ENDPOINT: this.httpsEndpoint,
      STEPSHIP_AWS_HTTP_ENDPOINT: new URL(endpointUrl).host,
      NODE_OPTIONS: `--import=${PRELOAD.href}`,
      ...this.options.lifeline.taskEnvironment,
      ...trustVariables(ca.certPath, ca.bundlePath),
    };
  }

  /**
   * A container's `docker run` options: the local cloud's network, its ports
   * published on the task's address only, AWS's regional host names pointing
   * at the gateway, the CA mounted and named by the usual variables.
   */
  containerOptions(taskIp: string, ports: number[]): { args: string[]; env: Record<string, string> } {
    const side = this.containerSide;
    if (!side) throw new Error('Tasks run as processes: there is no container network');
    const { ca } = this.options;
    const gateway = side.network.gateway;
    const args = ['--network', side.network.name, ...this.options.lifeline.containerLabels];
    for (const port of new Set(ports)) args.push('--publish', `${taskIp}:${port}:${port}`);
    if (side.awsHostnames)
      for (const name of servedHostnames()) args.push('--add-host', `${name}:${gateway}`);
    args.push('--volume', `${ca.certPath}:${CA_IN_CONTAINER}:ro`);
    args.push('--volume', `${ca.bundlePath}:${BUNDLE_IN_CONTAINER}:ro`);
    return {
      args,
      env: { AWS_ENDPOINT_URL: side.endpointUrl, ...trustVariables(CA_IN_CONTAINER, BUNDLE_IN_CONTAINER) },
    };
  }

  /** Where this machine reaches a container's ports directly (its address on the network). */
  containerAddress(containerId: string): Promise<string | undefined> {
    return this.containerSide?.network.addressOf(containerId) ?? Promise.resolve(undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.splice(0).map(closeServer));
    await this.containerSide?.network.remove();
    this.containerSide = undefined;
  }

  private async open(): Promise<void> {
    const { ca, region, host } = this.options;
    const serve: RequestListener = (req, res) => this.handler(req, res);
    const https = createAwsTlsServer(ca, region).on('request', serve);
    this.httpsEndpoint = `${host}:${await this.listen(https, 0, host)}`;
    if (!this.options.containers) return;

    const network = await DockerNetwork.create(this.options.lifeline.containerLabels);
    this.containerSide = { network, endpointUrl: '', awsHostnames: false };
    const plain = createServer(serve);
    const port = await this.listen(plain, 0, network.gateway);
    this.containerSide.endpointUrl = `http://${network.gateway}:${port}`;
    // Port 443 needs privileges (root, or CAP_NET_BIND_SERVICE); without it containers keep AWS_ENDPOINT_URL only.
    const gatewayHttps = createAwsTlsServer(ca, region).on('request', serve);
    this.containerSide.awsHostnames = await this.listen(gatewayHttps, HTTPS_PORT, network.gateway).then(
      () => true,
      () => false,
    );
  }

  private listen(server: Server, port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.servers.push(server);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }
}

/**
 * NODE_EXTRA_CA_CERTS adds to Node's roots; the others replace their
 * client's roots, so they name the bundle of this machine's roots plus the CA.
 */
function trustVariables(caPath: string, bundlePath: string): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: caPath,
    AWS_CA_BUNDLE: bundlePath,
    SSL_CERT_FILE: bundlePath,
    REQUESTS_CA_BUNDLE: bundlePath,
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

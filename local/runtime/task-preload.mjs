// Loaded into every Node task process (NODE_OPTIONS=--import) before the app,
// to give an app written for Fargate what Fargate's network gives it, without
// changing the app:
//
// - Its own address space for ports. On Fargate each task has its own network
//   namespace; locally tasks share this machine, each with its own loopback
//   address (STEPSHIP_TASK_IP). A listen on every interface (no host,
//   0.0.0.0, ::) binds the task's address instead, so two tasks' listen(3000)
//   don't collide and nothing listens on the machine's other interfaces.
// - AWS's endpoints. SDKs that ignore AWS_ENDPOINT_URL (the JavaScript SDK
//   v2, older ones) connect to <service>.<region>.amazonaws.com; connections
//   to those names on 443 (80) go to the local cloud's HTTPS (HTTP) endpoint
//   instead. TLS still verifies the AWS host name, against a certificate from
//   the local CA the task trusts (NODE_EXTRA_CA_CERTS).
// - Its own localhost. An app that calls itself on 127.0.0.1 or localhost
//   (a self check, a server-side render) reaches the port it listens on,
//   now on the task's address.
// - Its end with the local cloud. A Fargate task doesn't outlive its
//   cluster; a task process does outlive a local cloud that is killed
//   (SIGKILL, a crash). Each task process (and any Node process it starts)
//   watches its parent, and when the parent is gone ends itself: SIGTERM, as
//   a stopping task gets, and a hard exit if that doesn't end it. The local
//   cloud's reaper (reaper.mjs) does the same from outside, for tasks that
//   aren't Node.
//
// Plain JavaScript: it runs in the task's Node, which strips no types under
// node_modules, where the local cloud lives once installed.
import net from 'node:net';

const ALL_INTERFACES = new Set(['', '0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);
/** Ports this process listens on at the task's address, which its own localhost must reach. */
const ownPorts = new Set();
const AWS_DOMAIN = /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)\.?$/i;

const taskIp = process.env.STEPSHIP_TASK_IP;
const awsEndpoints = new Map(
  [
    [443, hostAndPort(process.env.STEPSHIP_AWS_HTTPS_ENDPOINT)],
    [80, hostAndPort(process.env.STEPSHIP_AWS_HTTP_ENDPOINT)],
  ].filter(([, endpoint]) => endpoint),
);

const WATCH_PARENT_MS = 250;
const EXIT_AFTER_SIGTERM_MS = 2000;

if (process.env.STEPSHIP_LOCAL_CLOUD_PID) {
  // The parent at start: the local cloud for a task, the task for what the task starts.
  const parent = process.ppid;
  const watchdog = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watchdog);
    setTimeout(() => process.exit(143), EXIT_AFTER_SIGTERM_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  }, WATCH_PARENT_MS);
  watchdog.unref();
}

if (taskIp) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listenOnTaskAddress(...args) {
    this.once('listening', () => {
      const address = this.address();
      if (address && typeof address === 'object' && address.address === taskIp) ownPorts.add(address.port);
    });
    return listen.apply(this, onTaskAddress(args, taskIp));
  };
}

if (awsEndpoints.size > 0 || taskIp) {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connectAwsToLocalCloud(...args) {
    return connect.apply(this, toLocalCloud(args));
  };
}

/** `listen`'s arguments with an all-interfaces host replaced by the task's address. */
function onTaskAddress(args, ip) {
  const [first, second] = args;
  if (first !== null && typeof first === 'object') {
    // A handle, a file descriptor or a pipe path is left as it is.
    if (first._handle || first.fd !== undefined || first.path !== undefined) return args;
    if (first.host !== undefined && !ALL_INTERFACES.has(first.host)) return args;
    const { ipv6Only: _ipv6Only, ...options } = first;
    return [{ ...options, host: ip }, ...args.slice(1)];
  }
  if (first === undefined || first === null || typeof first === 'function') {
    // listen() and listen(callback): a random port on every interface.
    return [0, ip, ...args.filter((a) => typeof a === 'function')];
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return args; // a pipe path
  if (typeof second === 'string') return ALL_INTERFACES.has(second) ? [first, ip, ...args.slice(2)] : args;
  // listen(port[, backlog][, callback])
  return [first, ip, ...args.slice(1)];
}

/**
 * `connect`'s arguments with an AWS host on 443/80 replaced by the local
 * cloud's endpoint. The caller's options object is never changed: TLS checks
 * the server's certificate against the host name in it.
 */
function toLocalCloud(args) {
  const [first] = args;
  // net.connect() hands over its arguments already normalized, as [options, callback].
  if (Array.isArray(first)) {
    const redirected = redirect(first[0]);
    if (redirected) first[0] = redirected;
    return args;
  }
  if (first !== null && typeof first === 'object') {
    const redirected = redirect(first);
    return redirected ? [redirected, ...args.slice(1)] : args;
  }
  if (typeof args[1] === 'string') {
    const redirected = redirect({ port: first, host: args[1] });
    return redirected ? [redirected.port, redirected.host, ...args.slice(2)] : args;
  }
  return args;
}

function redirect(options) {
  if (!options || typeof options.host !== 'string') return undefined;
  if (taskIp && LOOPBACK.has(options.host) && ownPorts.has(Number(options.port))) {
    const { lookup: _lookup, family: _family, ...rest } = options;
    return { ...rest, host: taskIp };
  }
  if (!AWS_DOMAIN.test(options.host)) return undefined;
  const endpoint = awsEndpoints.get(Number(options.port ?? 443));
  if (!endpoint) return undefined;
  const { lookup: _lookup, family: _family, ...rest } = options;
  return { ...rest, host: endpoint.host, port: endpoint.port };
}

function hostAndPort(value) {
  const match = /^(.+):(\d+)$/.exec(value ?? '');
  return match ? { host: match[1], port: Number(match[2]) } : undefined;
}

import type { LocalCloud } from '../../local/cloud.js';

/**
 * A tiny HTTP service as a local process image, for ECS/ALB behaviour tests.
 * `/` answers ROOT_STATUS (200 by default), `/slow` answers after 1.5 s,
 * everything answers with the task's address and the image's version, and
 * SIGTERM drains before exiting.
 */
export function serviceScript(version: string): string {
  return `import http from 'node:http';
const rootStatus = Number(process.env.ROOT_STATUS ?? 200);
const server = http.createServer((req, res) => {
  const answer = () => {
    res.writeHead(req.url === '/' ? rootStatus : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ip: process.env.HOST, version: ${JSON.stringify(version)} }));
  };
  if (req.url === '/slow') setTimeout(answer, 1500); else answer();
});
server.listen(Number(process.env.PORT ?? 3000), process.env.HOST);
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;
}

/** Builds the script into a process image and pushes it to the local ECR; returns its URI by digest. */
export function pushTestImage(cloud: LocalCloud, repository: string, tag: string, script: string): string {
  const manifest = cloud.images.createImage(
    { 'app/server.mjs': Buffer.from(script) },
    { entrypoint: ['node', 'app/server.mjs'], env: {}, exposedPorts: [3000] },
  );
  const image = cloud.ecr.putImage(cloud.scope, repository, { imageManifest: manifest, imageTag: tag });
  return `${cloud.ecr.registryHost(cloud.scope)}/${repository}@${image.digest}`;
}

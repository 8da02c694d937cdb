// The API microservice: /api/hello answers which task served it, by IP and
// by task ARN (in bridge mode on EC2 the IP is the bridge's, not the task's).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
let taskIp = 'unknown';
let taskArn = 'unknown';
if (process.env.ECS_CONTAINER_METADATA_URI_V4) {
  try {
    const answer = await fetch(process.env.ECS_CONTAINER_METADATA_URI_V4, {
      signal: AbortSignal.timeout(2000),
    });
    const metadata = await answer.json();
    taskIp = metadata.Networks?.[0]?.IPv4Addresses?.[0] ?? 'unknown';
    taskArn = metadata.Labels?.['com.amazonaws.ecs.task-arn'] ?? 'unknown';
  } catch {
    // Without the metadata endpoint the task is anonymous.
  }
}

const server = createServer((req, res) => {
  const json = (status, body) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.url === '/api/health') return json(200, { status: 'ok' });
  if (req.url === '/api/hello')
    return json(200, { message: 'hello', taskIp, taskArn, at: new Date().toISOString() });
  json(404, { error: 'not found' });
});
server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

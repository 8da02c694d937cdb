// Serves the page built by build.js.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const files = {
  '/': ['text/html; charset=utf-8', readFileSync(new URL('./dist/index.html', import.meta.url))],
  '/app.js': ['text/javascript', readFileSync(new URL('./dist/app.js', import.meta.url))],
};
const server = createServer((req, res) => {
  const file = files[req.url ?? '/'];
  if (!file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
});
server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

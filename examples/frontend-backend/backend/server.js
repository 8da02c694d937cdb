// The notes API: GET/POST /api/items, DELETE /api/items/:id, /api/health and
// /api/whoami (which task answered). Items live in the DynamoDB table named
// by TABLE_ITEMS; the task role is the only credential.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';

const port = Number(process.env.PORT ?? 8080);
const table = process.env.TABLE_ITEMS ?? 'notes-items';
const db = new DynamoDBClient({});
const taskIp = await readTaskIp();

async function readTaskIp() {
  const uri = process.env.ECS_CONTAINER_METADATA_URI_V4;
  if (!uri) return 'unknown';
  try {
    const answer = await fetch(uri, { signal: AbortSignal.timeout(2000) });
    return (await answer.json()).Networks?.[0]?.IPv4Addresses?.[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw Object.assign(new Error('body too large'), { status: 413 });
  }
  return JSON.parse(text || '{}');
}

async function route(req, res) {
  const { pathname } = new URL(req.url ?? '/', 'http://api');
  if (req.method === 'GET' && pathname === '/api/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && pathname === '/api/whoami') return send(res, 200, { taskIp });
  if (req.method === 'GET' && pathname === '/api/items') {
    const out = await db.send(new ScanCommand({ TableName: table, Limit: 100 }));
    const items = (out.Items ?? []).map((i) => ({ id: i.id?.S, text: i.text?.S, createdAt: i.createdAt?.S }));
    items.sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
    return send(res, 200, { items });
  }
  if (req.method === 'POST' && pathname === '/api/items') {
    const { text } = await readJson(req);
    if (typeof text !== 'string' || text.trim() === '' || text.length > 500)
      return send(res, 400, { error: 'text must be 1–500 characters' });
    const item = { id: randomUUID(), text: text.trim(), createdAt: new Date().toISOString() };
    await db.send(
      new PutItemCommand({
        TableName: table,
        Item: { id: { S: item.id }, text: { S: item.text }, createdAt: { S: item.createdAt } },
      }),
    );
    return send(res, 201, item);
  }
  const remove = /^\/api\/items\/([0-9a-f-]{36})$/.exec(pathname);
  if (req.method === 'DELETE' && remove) {
    await db.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: remove[1] } } }));
    return send(res, 204, {});
  }
  send(res, 404, { error: 'not found' });
}

const server = createServer((req, res) => {
  route(req, res).catch((err) => send(res, err.status ?? 500, { error: err.message }));
});
server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', port, taskIp })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

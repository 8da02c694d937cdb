// The save microservice: POST /save/messages writes a message to DynamoDB
// (the table named by TABLE_MESSAGES); the task role may only write.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const port = Number(process.env.PORT ?? 8081);
const table = process.env.TABLE_MESSAGES ?? 'micro-messages';
const db = new DynamoDBClient({});

async function body(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error('body too large');
  }
  return JSON.parse(text || '{}');
}

const server = createServer(async (req, res) => {
  const json = (status, payload) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  try {
    if (req.url === '/save/health') return json(200, { status: 'ok' });
    if (req.method === 'POST' && req.url === '/save/messages') {
      const { text } = await body(req);
      if (typeof text !== 'string' || text.trim() === '' || text.length > 500)
        return json(400, { error: 'text must be 1–500 characters' });
      const id = randomUUID();
      await db.send(
        new PutItemCommand({ TableName: table, Item: { id: { S: id }, text: { S: text.trim() } } }),
      );
      return json(201, { id });
    }
    json(404, { error: 'not found' });
  } catch (err) {
    json(500, { error: err.message });
  }
});
server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

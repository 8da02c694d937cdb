// The notes page: rendered on the server from the API (API_URL, the load
// balancer's /api), with a small script that adds and deletes items through
// the same load balancer from the browser.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const api = (process.env.API_URL ?? 'http://127.0.0.1:8080/api').replace(/\/+$/, '');

const html = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

async function page() {
  let items = [];
  let problem = '';
  try {
    const answer = await fetch(`${api}/items`, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`the API answered ${answer.status}`);
    items = (await answer.json()).items ?? [];
  } catch (err) {
    problem = `Could not load the notes: ${err.message}`;
  }
  const list = items
    .map(
      (i) =>
        `<li data-id="${html(i.id)}"><span>${html(i.text)}</span> <button type="button" class="delete">Delete</button></li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Notes</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'">
</head><body>
<h1>Notes</h1>
${problem ? `<p role="alert">${html(problem)}</p>` : ''}
<form id="add"><label>New note <input name="text" required maxlength="500"></label> <button>Add</button></form>
<ul id="notes">${list}</ul>
<p id="status" aria-live="polite"></p>
<script src="/app.js"></script>
</body></html>`;
}

const script = `
const status = document.getElementById('status');
document.getElementById('add').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = new FormData(e.target).get('text');
  const answer = await fetch('/api/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  if (answer.ok) location.reload(); else status.textContent = 'Could not add: ' + answer.status;
});
document.getElementById('notes').addEventListener('click', async (e) => {
  if (!e.target.classList.contains('delete')) return;
  const id = e.target.closest('li').dataset.id;
  const answer = await fetch('/api/items/' + id, { method: 'DELETE' });
  if (answer.ok) location.reload(); else status.textContent = 'Could not delete: ' + answer.status;
});`;

const server = createServer(async (req, res) => {
  if (req.url === '/app.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    return;
  }
  if (req.url === '/' || req.url?.startsWith('/?')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(await page());
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
});
server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', port, api })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

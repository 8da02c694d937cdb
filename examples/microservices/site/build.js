// Bakes the load balancer's DNS name (a build argument) into the page, as
// sites built for a known API host do.
import { mkdirSync, writeFileSync } from 'node:fs';

const dns = process.env.LOAD_BALANCER_DNS;
if (!dns) {
  console.error('LOAD_BALANCER_DNS is not set: pass it as a build argument');
  process.exit(1);
}
mkdirSync('dist', { recursive: true });
writeFileSync(
  'dist/index.html',
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Micro</title></head><body>
<h1>Micro</h1>
<p>API host: <code id="host">${dns.replace(/[^A-Za-z0-9.:-]/g, '')}</code></p>
<button id="hello" type="button">Say hello</button>
<form id="save"><label>Message <input name="text" required maxlength="500"></label> <button>Save</button></form>
<pre id="out" aria-live="polite"></pre>
<script src="/app.js"></script>
</body></html>
`,
);
writeFileSync(
  'dist/app.js',
  `const base = 'http://${dns.replace(/[^A-Za-z0-9.:-]/g, '')}';
const out = document.getElementById('out');
document.getElementById('hello').addEventListener('click', async () => {
  const answer = await fetch(base + '/api/hello');
  out.textContent = JSON.stringify(await answer.json(), null, 2);
});
document.getElementById('save').addEventListener('submit', async (e) => {
  e.preventDefault();
  const answer = await fetch(base + '/save/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: new FormData(e.target).get('text') }) });
  out.textContent = JSON.stringify(await answer.json(), null, 2);
});
`,
);
console.log(`built dist/ for ${dns}`);

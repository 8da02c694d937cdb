// The stepship console's only script: keeps a page current while a deployment
// runs (polling the page's JSON view until it says it is done), opens the event
// a link points at, and expands or collapses the event history. The pages work
// without it; it only adds what a static page cannot do.
const POLL_MS = 1000;
const MAX_FAILURES = 10;

const main = document.getElementById('main');
const live = document.getElementById('live');

function say(text) {
  if (live && text) live.textContent = text;
}

/** Replaces an element's content, keeping open <details> open and the focus where it was. */
function replaceContent(element, markup) {
  const open = new Set([...element.querySelectorAll('details[open][id]')].map((d) => d.id));
  const active = document.activeElement;
  const anchor = active && element.contains(active) ? active.closest('[id]') : null;
  const href = active?.getAttribute?.('href');
  element.innerHTML = markup;
  for (const id of open) document.getElementById(id)?.setAttribute('open', '');
  if (anchor?.id) {
    const again = document.getElementById(anchor.id);
    const target = (href && again?.querySelector(`[href="${CSS.escape(href)}"]`)) || again;
    target?.focus();
  }
}

/** The graph keeps its layout; only its states' statuses and the edges taken change. */
function updateGraph(graph) {
  if (!graph) return;
  for (const node of graph.nodes) {
    const element = document.querySelector(`[data-node="${CSS.escape(node.id)}"]`);
    if (!element) continue;
    element.setAttribute(
      'class',
      element.getAttribute('class').replace(/\bstatus-[\w-]+/, `status-${node.status}`),
    );
    element.setAttribute('aria-label', node.description);
    const title = element.querySelector('title');
    if (title) title.textContent = node.description;
    const mark = element.querySelector('[data-role="mark"]');
    if (mark) mark.textContent = node.mark;
    const count = element.querySelector('[data-role="count"]');
    if (count) count.textContent = node.count;
    if (node.href) element.setAttribute('href', node.href);
  }
  const taken = new Set(graph.takenEdges);
  for (const edge of document.querySelectorAll('[data-edge]'))
    edge.classList.toggle('taken', taken.has(edge.getAttribute('data-edge')));
}

function apply(view) {
  for (const [id, markup] of Object.entries(view.sections ?? {})) {
    const element = document.getElementById(id);
    if (element) replaceContent(element, markup);
  }
  for (const [id, markup] of Object.entries(view.append ?? {})) {
    if (markup) document.getElementById(id)?.insertAdjacentHTML('beforeend', markup);
  }
  updateGraph(view.graph);
  const history = document.getElementById('history-list');
  if (history && view.lastEventId !== undefined) history.dataset.lastEvent = String(view.lastEventId);
}

async function poll(url) {
  let failures = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const target = new URL(url, location.href);
    const history = document.getElementById('history-list');
    if (history) target.searchParams.set('after', history.dataset.lastEvent ?? '0');
    let view;
    try {
      const response = await fetch(target, { cache: 'no-store', headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      view = await response.json();
      failures = 0;
    } catch (err) {
      failures++;
      if (failures >= MAX_FAILURES) {
        main.dataset.pollState = 'failed';
        say(`Stopped updating: the console could not be reached (${err.message}). Reload to try again.`);
        return;
      }
      continue;
    }
    apply(view);
    if (view.done) {
      main.dataset.pollState = 'done';
      say(view.announce ?? 'Up to date: nothing is running.');
      return;
    }
  }
}

/** A link to an event or a visit opens it and moves the focus there, for keyboard and screen reader users. */
function followHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) return;
  if (target.tagName === 'DETAILS') {
    target.open = true;
    target.querySelector('summary')?.focus();
  } else {
    target.focus();
  }
}

document.addEventListener('click', (event) => {
  const action = event.target.closest?.('[data-action]')?.getAttribute('data-action');
  if (action === 'expand-all' || action === 'collapse-all')
    for (const details of document.querySelectorAll('#history-list details'))
      details.open = action === 'expand-all';
});
window.addEventListener('hashchange', followHash);
followHash();
if (main?.dataset.poll) {
  main.dataset.pollState = 'polling';
  poll(main.dataset.poll);
}

// Dashboard behaviour: each button fetches its endpoint and shows the JSON
// pretty-printed; HTTP errors and network failures are shown as errors.
const result = document.getElementById('result');

function show(text, isError) {
  result.textContent = text;
  result.classList.toggle('error', isError);
}

async function check(button) {
  const endpoint = button.dataset.endpoint;
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  show(`Loading ${endpoint}…`, false);
  try {
    const response = await fetch(endpoint, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = await response.text();
    let data;
    try {
      data = JSON.parse(body);
    } catch {
      data = undefined;
    }
    const shown = data === undefined ? body : JSON.stringify(data, null, 2);
    if (response.ok && data !== undefined) {
      show(shown, false);
    } else {
      const reason = response.ok
        ? 'the answer was not JSON'
        : `HTTP ${response.status} ${response.statusText}`.trim();
      show(`Error from ${endpoint}: ${reason}\n\n${shown}`, true);
    }
  } catch (err) {
    show(`Network error: could not reach ${endpoint} (${err instanceof Error ? err.message : err}).`, true);
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.focus();
  }
}

for (const button of document.querySelectorAll('button[data-endpoint]')) {
  button.addEventListener('click', () => check(button));
}

import { CONSOLE_BASE, consolePath } from '../paths.js';
import { type Content, type Html, html } from './html.js';

export interface PageOptions {
  title: string;
  /** Which navigation entry is this page's. */
  current: 'services' | 'deployments' | 'none';
  /** The JSON view console.js polls to keep the page current, while it says there is more to come. */
  poll?: string;
  body: Content;
}

export function page(options: PageOptions): Html {
  const nav = (key: PageOptions['current'], href: string, label: string) =>
    html`<a href="${href}"${options.current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · stepship console</title>
<link rel="stylesheet" href="${consolePath('assets/console.css')}">
<link rel="icon" href="${consolePath('assets/icon.svg')}" type="image/svg+xml">
<script type="module" src="${consolePath('assets/console.js')}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="${CONSOLE_BASE}/">stepship console</a>
<nav aria-label="Console">${nav('services', `${CONSOLE_BASE}/`, 'Services')} ${nav('deployments', consolePath('deployments'), 'Deployments')}</nav>
<p class="read-only">Read-only view of the local cloud</p>
</header>
<main id="main" tabindex="-1"${options.poll ? html` data-poll="${options.poll}"` : ''}>
${options.body}
<p id="live" class="visually-hidden" aria-live="polite"></p>
</main>
</body>
</html>
`;
}

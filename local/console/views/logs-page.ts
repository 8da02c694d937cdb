import type { LogPage, LogQuery } from '../read/logs.js';
import { moment } from './format.js';
import { type Html, html } from './html.js';
import { page } from './page.js';

export function logsPage(query: LogQuery, title: string | undefined, logs: LogPage): Html {
  const window =
    query.start !== undefined || query.end !== undefined
      ? html` between ${query.start !== undefined ? moment(new Date(query.start)) : 'the start'} and ${query.end !== undefined ? moment(new Date(query.end)) : 'now'}`
      : '';
  return page({
    title: `Logs ${title ?? query.group}`,
    current: 'none',
    body: html`<h1>Logs${title ? html` of <span class="name">${title}</span>` : ''}</h1>
<dl class="facts"><div><dt>Log group</dt><dd><code>${query.group}</code></dd></div>${query.stream ? html`<div><dt>Stream</dt><dd><code>${query.stream}</code></dd></div>` : ''}</dl>
<p>${logs.lines.length} lines${window}${logs.truncated ? ' (the first ones only: there are more)' : ''}.</p>
${
  logs.lines.length
    ? html`<ol class="log-lines">${logs.lines.map((line) => html`<li><span class="log-time">${moment(new Date(line.timestamp), 'milliseconds')}</span> <span class="log-message">${line.message}</span></li>`)}</ol>`
    : html`<p>No log events.</p>`
}`,
  });
}

export function errorPage(status: number, title: string, message: string): Html {
  return page({
    title,
    current: 'none',
    body: html`<h1>${title}</h1><p class="error" data-http-status="${status}">${message}</p>`,
  });
}

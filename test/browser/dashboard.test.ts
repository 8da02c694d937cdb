import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailableReason, launchBrowser } from '../helpers/browser.js';
import { closedPort, type Running, startDynalite } from '../helpers/servers.js';
import {
  dynamoClient,
  type StartedApp,
  startApp,
  startMetadataEndpoint,
  TASK_IP,
} from '../service/start-app.js';

const skipReason = browserUnavailableReason();
const describeInBrowser = skipReason ? describe.skip : describe;
if (skipReason) console.warn(`Skipping browser tests: ${skipReason}`);

describeInBrowser(`the dashboard in a real browser${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let browser: Browser;
  let dynamo: Running;
  let metadata: Running;
  let app: StartedApp;
  let brokenApp: StartedApp;

  beforeAll(async () => {
    browser = await launchBrowser();
    dynamo = await startDynalite();
    await dynamoClient(dynamo.url).send(
      new CreateTableCommand({
        TableName: 'web-app-table',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    metadata = await startMetadataEndpoint('ok');
    app = await startApp({ metadataUri: metadata.url, dynamoEndpoint: dynamo.url });
    brokenApp = await startApp({ dynamoEndpoint: `http://127.0.0.1:${await closedPort()}` });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([app?.close(), brokenApp?.close(), metadata?.close(), dynamo?.close()]);
  });

  /** Waits until the result box shows `text` — what a person would wait for. */
  async function resultShowing(page: Page, text: string | RegExp): Promise<void> {
    await page.locator('#result', { hasText: text }).waitFor({ timeout: 10_000 });
  }

  function focusedText(page: Page): Promise<unknown> {
    return page.evaluate('document.activeElement?.textContent');
  }

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(url);
    return page;
  }

  it('shows the dashboard, then the task IP and the tables as pretty-printed JSON', async () => {
    const page = await open(`${app.url}/`);
    expect(await page.title()).toBe('Fargate Status Dashboard');
    expect(await page.locator('h1').textContent()).toBe('Fargate App Dashboard');

    await page.getByRole('button', { name: 'Check Server Status' }).click();
    const result = page.locator('#result');
    await resultShowing(page, 'taskIP');
    const status = JSON.parse((await result.textContent()) ?? '') as Record<string, unknown>;
    expect(status).toMatchObject({ status: 'ok', taskIP: TASK_IP });
    expect(await result.textContent()).toContain('\n  "status": "ok"'); // JSON.stringify(data, null, 2)
    expect(await result.getAttribute('class')).not.toContain('error');

    await page.getByRole('button', { name: 'Check DynamoDB' }).click();
    await resultShowing(page, '"db"');
    expect(JSON.parse((await result.textContent()) ?? '')).toEqual({
      db: 'connected',
      tables: ['web-app-table'],
    });
    await page.close();
  });

  it('is usable by keyboard alone', async () => {
    const page = await open(`${app.url}/`);
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Check Server Status');
    await page.keyboard.press('Enter');
    await resultShowing(page, 'taskIP');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Check DynamoDB');
    await page.keyboard.press('Space');
    await resultShowing(page, 'web-app-table');
    await page.close();
  });

  it('shows an HTTP error readably, marked as an error', async () => {
    const page = await open(`${brokenApp.url}/`);
    await page.getByRole('button', { name: 'Check DynamoDB' }).click();
    await resultShowing(page, /^Error/);
    const text = (await page.locator('#result').textContent()) ?? '';
    expect(text).toMatch(/^Error from \/db: HTTP 500/);
    expect(text).toContain('"db": "error"');
    expect(await page.locator('#result').getAttribute('class')).toContain('error');
    await page.close();
  });

  it('shows a network failure readably when the service is gone', async () => {
    const doomed = await startApp({ dynamoEndpoint: dynamo.url });
    const page = await open(`${doomed.url}/`);
    await doomed.close();
    await page.getByRole('button', { name: 'Check Server Status' }).click();
    await resultShowing(page, /^Network error/);
    expect(await page.locator('#result').textContent()).toMatch(/^Network error: could not reach \/status/);
    expect(await page.locator('#result').getAttribute('class')).toContain('error');
    await page.close();
  });
});

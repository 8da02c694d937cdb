import { DeleteTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { executionModel } from '../../local/console/execution-model.js';
import {
  consoleClients,
  destroyClients,
  NotReadOnlyError,
  READ_OPERATIONS,
} from '../../local/console/read/clients.js';
import { recordView } from '../../local/console/read/deployments.js';
import { executionJson, executionPage } from '../../local/console/views/execution-page.js';
import { causeCell, duration } from '../../local/console/views/format.js';
import { html } from '../../local/console/views/html.js';
import { recorded, recordedDefinition } from './recorded.js';

describe('HTML from templates', () => {
  it('escapes what is interpolated, and only once', () => {
    const name = `<img src=x onerror="alert('x')">&`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>',
    );
    expect(html`<div>${html`<b>${'<'}</b>`}</div>`.text).toBe('<div><b>&lt;</b></div>');
    expect(html`${['a', html`<i>b</i>`, undefined, false, 3]}`.text).toBe('a<i>b</i>3');
  });
});

describe('the execution page', () => {
  const functionLogGroups = new Map([
    ['arn:aws:lambda:us-east-1:000000000000:function:hostile', '/aws/lambda/hostile'],
  ]);

  it('shows names, input and errors from the execution as text, never as markup', () => {
    const hostile = '<script>alert(1)</script>';
    const definition = JSON.stringify({
      StartAt: hostile,
      States: {
        [hostile]: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:hostile',
          End: true,
        },
      },
    });
    const at = (s: number) => new Date(1_800_000_000_000 + s * 1000);
    const model = executionModel({
      record: {
        definition,
        execution: {
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:x',
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
          name: 'x',
          status: 'FAILED',
          startDate: at(0),
          stopDate: at(2),
          error: hostile,
          cause: `{"errorMessage":"${hostile}"}`,
        },
        events: [
          {
            id: 1,
            type: 'ExecutionStarted',
            timestamp: at(0),
            executionStartedEventDetails: { input: `"${hostile}"` },
          },
          {
            id: 2,
            type: 'TaskStateEntered',
            timestamp: at(0),
            stateEnteredEventDetails: { name: hostile, input: `"${hostile}"` },
          },
          {
            id: 3,
            type: 'LambdaFunctionScheduled',
            timestamp: at(0),
            lambdaFunctionScheduledEventDetails: {
              resource: 'arn:aws:lambda:us-east-1:000000000000:function:hostile',
            },
          },
          {
            id: 4,
            type: 'LambdaFunctionFailed',
            timestamp: at(1),
            lambdaFunctionFailedEventDetails: { error: hostile, cause: hostile },
          },
          {
            id: 5,
            type: 'ExecutionFailed',
            timestamp: at(2),
            executionFailedEventDetails: { error: hostile, cause: hostile },
          },
        ],
      },
      functionLogGroups,
    });
    const page = executionPage(model).text;
    expect(page).not.toContain(hostile);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('href="/_stepship/console/logs?group=%2Faws%2Flambda%2Fhostile&amp;start=');
    // The JSON view's markup is escaped too; its plain fields (state names) are text the script sets as text.
    const view = executionJson(model, 0) as {
      sections: Record<string, string>;
      append: Record<string, string>;
    };
    for (const markup of [...Object.values(view.sections), ...Object.values(view.append)])
      expect(markup).not.toContain(hostile);
  });

  it('times the recorded steps from the start of the execution and links their function logs', () => {
    const { execution, events } = recorded('succeeded');
    const groups = new Map<string, string>();
    for (const e of events) {
      const fn = e.lambdaFunctionScheduledEventDetails?.resource;
      if (fn) groups.set(fn, `/logs/${fn.split(':').pop()}`);
    }
    const model = executionModel({
      record: { execution, events, definition: recordedDefinition() },
      functionLogGroups: groups,
    });
    const page = executionPage(model).text;
    const rows = page.match(/<tr id="visit-\d+"/g) ?? [];
    expect(rows).toHaveLength(model.summary.visits.length);
    const prepare = model.summary.visits[0];
    const offset = (prepare?.enteredAt.getTime() ?? 0) - (model.summary.startedAt?.getTime() ?? 0);
    expect(page).toContain(`<td class="num">+${duration(offset)}</td>`);
    expect(page.match(/>function logs</g)).toHaveLength(
      model.summary.visits.filter((v) => v.resource?.startsWith('arn:aws:lambda')).length,
    );
    expect(page).toContain('>build logs<');
    expect(page).not.toContain('data-poll');
  });

  it('asks to be polled while the execution runs, and the JSON view sends only the events after the last one shown', () => {
    const { execution, events } = recorded('succeeded');
    const running = { ...execution, status: 'RUNNING' as const, stopDate: undefined };
    const model = executionModel({
      record: { execution: running, events: events.slice(0, 33), definition: recordedDefinition() },
      functionLogGroups: new Map(),
      now: new Date((events[32]?.timestamp?.getTime() ?? 0) + 500),
    });
    expect(executionPage(model).text).toContain(
      `data-poll="/_stepship/console/execution.json?arn=${encodeURIComponent(running.executionArn ?? '')}"`,
    );
    const view = executionJson(model, 30) as {
      done: boolean;
      lastEventId: number;
      graph: { nodes: { id: string; status: string; mark: string; href?: string }[] };
      append: Record<string, string>;
    };
    expect(view.done).toBe(false);
    expect(view.lastEventId).toBe(33);
    expect(view.append['history-list']?.match(/id="event-\d+"/g)).toEqual([
      'id="event-31"',
      'id="event-32"',
      'id="event-33"',
    ]);
    expect(view.graph.nodes.find((n) => n.id === 'state:CheckRollout')).toMatchObject({
      status: 'current',
      mark: '▶',
    });
    expect(view.graph.nodes.find((n) => n.id === 'state:VerifyTargets')).toMatchObject({
      status: 'not-visited',
      mark: '',
    });
    expect(view.graph.nodes.find((n) => n.id === 'state:VerifyTargets')?.href).toBeUndefined();
  });

  it('says why it cannot draw a definition, and still shows the timeline and history', () => {
    const { execution, events } = recorded('lock-held');
    const page = executionPage(
      executionModel({ record: { execution, events, definition: 'not json' }, functionLogGroups: new Map() }),
    ).text;
    expect(page).toContain('The graph cannot be drawn: The state machine definition is not JSON');
    expect(page).toContain('id="visit-0"');
    expect(page).toContain('id="event-13"');
    expect(page).toContain('DeploymentInProgressError');
  });
});

describe('a failure cause in a table cell', () => {
  it('shows the first line, and the whole cause behind a disclosure when there is more', () => {
    const cell = String(causeCell('RolloutFailedError', 'Rolled back.\nService events:\n - one'));
    expect(cell).toContain('<strong>RolloutFailedError</strong>: Rolled back.');
    expect(cell).toContain('<details class="full-cause"><summary>Full cause</summary>');
    expect(String(causeCell('E', 'short'))).not.toContain('<details');
    expect(causeCell(undefined, undefined)).toBe('—');
  });
});

describe('deployment records', () => {
  it('are read defensively: a field of the wrong type is left out', () => {
    expect(
      recordView('stepship-web-deployments', {
        pk: { S: 'DEPLOYMENT#d1' },
        sk: { S: 'RECORD' },
        status: { S: 'SUCCEEDED' },
        trigger: { N: '3' },
        timings: { M: { build: { N: '1200' }, total: { S: 'long' } } },
      }),
    ).toEqual({
      table: 'stepship-web-deployments',
      deploymentId: 'd1',
      status: 'SUCCEEDED',
      timings: { build: 1200 },
    });
    expect(recordView('t', { pk: { S: 'LOCK#web' } })).toBeUndefined();
  });
});

describe("the console's AWS clients", () => {
  // A closed port: a request that got past the refusal would fail differently.
  const clients = consoleClients({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });

  it.each([
    ['StartExecution', () => clients.sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn:x' }))],
    ['StopExecution', () => clients.sfn.send(new StopExecutionCommand({ executionArn: 'arn:x' }))],
    ['UpdateService', () => clients.ecs.send(new UpdateServiceCommand({ service: 'web' }))],
    ['PutItem', () => clients.dynamodb.send(new PutItemCommand({ TableName: 't', Item: {} }))],
    ['DeleteTable', () => clients.dynamodb.send(new DeleteTableCommand({ TableName: 't' }))],
  ])('refuse %s before it leaves the process', async (name, call) => {
    await expect(call()).rejects.toThrow(new NotReadOnlyError(`${name}Command`));
  });

  it('may only read', () => {
    for (const command of READ_OPERATIONS)
      expect(command).toMatch(/^(List|Describe|Get|Scan|Query|Filter)[A-Za-z]*Command$/);
    destroyClients(clients);
  });
});

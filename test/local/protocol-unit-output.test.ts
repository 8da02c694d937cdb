import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_CREDENTIALS } from '../../local/cloud.js';
import { define, OperationTable } from '../../local/core/operation.js';
import { handleJson } from '../../local/http/json-protocol.js';
import { handleQuery } from '../../local/http/query-protocol.js';
import { BotocoreValidator } from '../conformance/botocore-validator.js';
import { captureExchanges, type Exchange } from '../conformance/capture.js';

/**
 * Operations the model gives no output (a unit) are answered as AWS answers
 * them on both protocols: `{}` on awsJson, the response metadata alone on
 * awsQuery. The operations here are defined for the test (the local cloud
 * serves no DeleteStack), and what they answer is checked by botocore.
 */
const ctx = { accountId: '000000000000', region: 'us-east-1', requestId: 'req-unit-output' };
let server: Server;
let endpoint: string;
let validator: BotocoreValidator;

beforeAll(async () => {
  validator = BotocoreValidator.start();
  const query = {
    name: 'CloudFormation',
    namespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    version: '2010-05-15',
    operations: new OperationTable([define(DeleteStackCommand, () => ({}))]),
  };
  const json = {
    name: 'CloudWatch Logs',
    targetPrefix: 'Logs_20140328',
    jsonVersion: '1.1' as const,
    codes: { missing: 'InvalidParameterException', wrongType: 'SerializationException' },
    operations: new OperationTable([define(DeleteLogGroupCommand, () => ({}))]),
  };
  server = createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') void handleJson(json, target.split('.')[1] ?? '', req, res, ctx);
    else void handleQuery(query, req, res, ctx);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await validator.close();
});

async function exchangeOf<C extends { send(c: never): Promise<unknown>; destroy(): void }>(
  client: C,
  command: unknown,
): Promise<Exchange> {
  const exchanges: Exchange[] = [];
  captureExchanges(client as never, exchanges);
  await client.send(command as never);
  client.destroy();
  const exchange = exchanges[0];
  if (!exchange) throw new Error('no exchange was captured');
  return exchange;
}

describe('an operation without output', () => {
  const config = () => ({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });

  it('answers {} on awsJson', async () => {
    const exchange = await exchangeOf(
      new CloudWatchLogsClient(config()),
      new DeleteLogGroupCommand({ logGroupName: '/unit' }),
    );
    expect({ status: exchange.status, body: exchange.body.toString() }).toEqual({ status: 200, body: '{}' });
    expect(await validator.validate('logs', 'DeleteLogGroup', exchange)).toEqual([]);
  });

  it('answers the response metadata alone on awsQuery', async () => {
    const exchange = await exchangeOf(
      new CloudFormationClient(config()),
      new DeleteStackCommand({ StackName: 'unit' }),
    );
    expect(exchange.body.toString()).not.toContain('DeleteStackResult');
    expect(exchange.body.toString()).toContain('<RequestId>req-unit-output</RequestId>');
    expect(await validator.validate('cloudformation', 'DeleteStack', exchange)).toEqual([]);
  });
});

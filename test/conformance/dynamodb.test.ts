import { dynamodb } from './catalogue/dynamodb.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('DynamoDB', dynamodb);

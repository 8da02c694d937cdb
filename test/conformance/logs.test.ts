import { logs } from './catalogue/logs.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('CloudWatch Logs', logs);

import { sfn } from './catalogue/sfn.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('Step Functions', sfn);

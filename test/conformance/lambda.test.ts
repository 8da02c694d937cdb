import { lambda } from './catalogue/lambda.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('Lambda', lambda);

import { ssm } from './catalogue/ssm.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('SSM Parameter Store', ssm);

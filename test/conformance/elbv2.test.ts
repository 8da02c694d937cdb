import { elbv2 } from './catalogue/elbv2.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('ELBv2', elbv2);

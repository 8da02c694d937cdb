import { cloudformation } from './catalogue/cloudformation.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('CloudFormation', cloudformation);

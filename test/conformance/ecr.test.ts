import { ecr } from './catalogue/ecr.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('ECR', ecr);

import { secretsmanager } from './catalogue/secretsmanager.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('Secrets Manager', secretsmanager);

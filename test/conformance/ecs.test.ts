import { ecs } from './catalogue/ecs.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('ECS', ecs);

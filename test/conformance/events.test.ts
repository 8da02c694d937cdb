import { events } from './catalogue/events.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('EventBridge', events);

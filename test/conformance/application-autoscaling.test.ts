import { applicationAutoScaling } from './catalogue/application-autoscaling.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('Application Auto Scaling', applicationAutoScaling);

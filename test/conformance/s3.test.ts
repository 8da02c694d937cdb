import { s3 } from './catalogue/s3.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('S3', s3);

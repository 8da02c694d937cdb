import { codebuild } from './catalogue/codebuild.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('CodeBuild', codebuild);

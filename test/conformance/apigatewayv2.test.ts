import { apigatewayv2 } from './catalogue/apigatewayv2.js';
import { conformanceSuite } from './suite.js';

conformanceSuite('API Gateway v2', apigatewayv2);

import { describe, expect, it } from '@jest/globals';
import { parseRouteKey, selectRoute } from '../../local/services/apigatewayv2/routes.js';

const routes = (...keys: string[]) => keys.map((RouteKey) => ({ RouteKey }));

describe('HTTP API route selection ($request.method $request.path)', () => {
  const api = routes(
    'POST /deployments',
    'GET /deployments/{id}',
    'GET /deployments/latest',
    'ANY /deployments/{id}',
    'GET /files/{proxy+}',
    'ANY /{proxy+}',
    'GET /',
  );

  it.each([
    ['POST', '/deployments', 'POST /deployments', {}],
    ['GET', '/deployments/d-1', 'GET /deployments/{id}', { id: 'd-1' }],
    ['GET', '/deployments/latest', 'GET /deployments/latest', {}],
    ['DELETE', '/deployments/d-1', 'ANY /deployments/{id}', { id: 'd-1' }],
    ['GET', '/files/a/b/c.txt', 'GET /files/{proxy+}', { proxy: 'a/b/c.txt' }],
    ['GET', '/deployments/a%20b', 'GET /deployments/{id}', { id: 'a b' }],
    ['PUT', '/other/path', 'ANY /{proxy+}', { proxy: 'other/path' }],
    ['GET', '/', 'GET /', {}],
    ['GET', '/deployments', 'ANY /{proxy+}', { proxy: 'deployments' }],
  ])('%s %s selects %s', (method, path, key, parameters) => {
    expect(selectRoute(api, method, path)).toEqual({ route: { RouteKey: key }, pathParameters: parameters });
  });

  it('prefers a literal segment where two templates differ, whichever comes first', () => {
    const reversed = routes('GET /{a}/x', 'GET /y/{b}');
    expect(selectRoute(reversed, 'GET', '/y/x')?.route.RouteKey).toBe('GET /y/{b}');
  });

  it('falls back to the $default route, and selects nothing without one', () => {
    const withDefault = routes('GET /a', '$default');
    expect(selectRoute(withDefault, 'POST', '/a')).toEqual({
      route: { RouteKey: '$default' },
      pathParameters: {},
    });
    expect(selectRoute(routes('GET /a'), 'POST', '/a')).toBeUndefined();
  });

  it.each([
    ['a path variable takes no empty segment', 'GET /deployments/'],
    ['a greedy variable takes at least one segment', 'GET /files'],
    ['paths are case-sensitive', 'POST /Deployments'],
    ['a path with more segments than the template', 'POST /deployments/x/y'],
  ])('%s', (_what, request) => {
    const [method = '', path = ''] = request.split(' ');
    const only = api.filter((r) => r.RouteKey !== 'ANY /{proxy+}');
    expect(selectRoute(only, method, path)).toBeUndefined();
  });
});

describe('route keys', () => {
  it('reads the method and the path template', () => {
    expect(parseRouteKey('GET /a/{id}/{rest+}')).toEqual({
      method: 'GET',
      segments: [
        { kind: 'literal', text: 'a' },
        { kind: 'param', name: 'id' },
        { kind: 'greedy', name: 'rest' },
      ],
    });
    expect(parseRouteKey('$default')).toBeUndefined();
  });

  it.each([
    ['/a', /method must be one of/],
    ['FETCH /a', /method must be one of/],
    ['GET a', /must start with \//],
    ['GET /{proxy+}/a', /greedy path variable/],
    ['GET /{id}/{id}', /used twice/],
    ['GET /a{id}', /not a path variable/],
  ])('refuses %s', (key, why) => {
    expect(() => parseRouteKey(key)).toThrow(why);
  });
});

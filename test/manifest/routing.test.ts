import { describe, expect, it } from '@jest/globals';
import { deploymentOrder } from '../../manifest/order.js';
import { matchesPathPattern, planRouting, serviceReached } from '../../manifest/routing.js';

describe('listener rules', () => {
  it('get priorities 10, 20, 30… in manifest order, stepping over the ones given', () => {
    const { routes, findings } = planRouting([
      { name: 'site' },
      { name: 'a', paths: ['/a/*'] },
      { name: 'b', paths: ['/b/*'], priority: 20 },
      { name: 'c', paths: ['/c/*'] },
      { name: 'd', paths: ['/d/*'], priority: 1 },
      { name: 'e', paths: ['/e/*'] },
    ]);
    expect(findings).toEqual([]);
    expect(Object.fromEntries([...routes].map(([name, route]) => [name, route.priority]))).toEqual({
      site: 0,
      a: 10,
      b: 20,
      c: 30,
      d: 1,
      e: 40,
    });
    expect(routes.get('site')?.isDefault).toBe(true);
  });

  it('make the one service without a path the default, and a declared default wins', () => {
    expect(planRouting([{ name: 'web' }]).routes.get('web')?.isDefault).toBe(true);
    const declared = planRouting([
      { name: 'api', paths: ['/api/*'], default: true },
      { name: 'admin', paths: ['/admin/*'] },
    ]);
    expect(declared.findings).toEqual([]);
    expect(declared.routes.get('api')).toEqual({ isDefault: true, paths: ['/api/*'], priority: 10 });
  });

  it('may have no default at all when every service has a path', () => {
    const { routes } = planRouting([{ name: 'api', paths: ['/api/*'] }]);
    expect(serviceReached('/', routes)).toBeUndefined();
    expect(serviceReached('/api/orders?page=2', routes)).toBe('api');
  });

  it('send a request to the first matching rule by priority, else to the default', () => {
    const { routes } = planRouting([
      { name: 'web' },
      { name: 'api', paths: ['/api/*'] },
      { name: 'admin', paths: ['/api/admin/*'], priority: 5 },
    ]);
    expect(serviceReached('/api/admin/users', routes)).toBe('admin');
    expect(serviceReached('/api/orders', routes)).toBe('api');
    expect(serviceReached('/about', routes)).toBe('web');
  });
});

describe('ALB path patterns', () => {
  it.each([
    ['/api/*', '/api/orders', true],
    ['/api/*', '/api/', true],
    ['/api/*', '/api', false],
    ['/api/*', '/API/orders', false],
    ['/img/?.png', '/img/a.png', true],
    ['/img/?.png', '/img/ab.png', false],
    ['/a.b', '/axb', false],
    ['*', '/anything', true],
  ])('%s matches %s: %s', (pattern, path, matches) => {
    expect(matchesPathPattern(pattern, path)).toBe(matches);
  });
});

describe('deployment order', () => {
  it('puts each service after its dependencies and otherwise keeps the manifest order', () => {
    const { order, findings } = deploymentOrder(
      [
        { name: 'site', dependsOn: ['api', 'save'] },
        { name: 'docs', dependsOn: [] },
        { name: 'save', dependsOn: ['api'] },
        { name: 'api', dependsOn: [] },
      ],
      ['site', 'docs', 'save', 'api'],
    );
    expect(findings).toEqual([]);
    expect(order).toEqual(['docs', 'api', 'save', 'site']);
  });

  it('names each cycle once, starting where the manifest first mentions it', () => {
    const { findings } = deploymentOrder(
      [
        { name: 'web', dependsOn: ['b'] },
        { name: 'b', dependsOn: ['c'] },
        { name: 'c', dependsOn: ['b'] },
        { name: 'x', dependsOn: ['y'] },
        { name: 'y', dependsOn: ['x'] },
      ],
      ['web', 'b', 'c', 'x', 'y'],
    );
    expect(findings.map((f) => [f.path.join('.'), f.message.split(';')[0]])).toEqual([
      ['services.b.dependsOn', 'forms a cycle: b → c → b'],
      ['services.x.dependsOn', 'forms a cycle: x → y → x'],
    ]);
  });

  it('does not call a service that failed validation unknown', () => {
    const { findings } = deploymentOrder([{ name: 'web', dependsOn: ['api'] }], ['web', 'api']);
    expect(findings).toEqual([]);
  });
});

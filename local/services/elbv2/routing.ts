import type { ListenerProtocol, Routing } from './listener-server.js';
import { chooseRule, type RoutableRule } from './rules.js';
import type { Elbv2Store } from './store.js';

/** Where the load balancer's front door sends a request: the matching rule of its listener for the protocol. */
export function routeFor(
  store: Elbv2Store,
  lbArn: string,
  request: Parameters<typeof chooseRule>[1],
  protocol: ListenerProtocol,
): Routing {
  const listeners = [...store.listeners.values()].filter((l) => l.loadBalancerArn === lbArn);
  const usualPort = protocol === 'HTTPS' ? 443 : 80;
  const listener =
    listeners.find((l) => l.protocol === protocol && l.port === usualPort) ??
    listeners.find((l) => l.protocol === protocol);
  if (!listener) return { kind: 'none' };
  const rules: RoutableRule[] = [
    ...[...store.rules.values()].filter((r) => r.listenerArn === listener.arn),
    { priority: 'default', conditions: [], actions: listener.defaultActions },
  ];
  const action = chooseRule(rules, request)?.actions.find((a) => a.Type !== undefined);
  if (!action) return { kind: 'none' };
  if (action.Type === 'fixed-response' && action.FixedResponseConfig)
    return { kind: 'fixed-response', config: action.FixedResponseConfig };
  if (action.Type === 'redirect' && action.RedirectConfig) {
    const port = action.RedirectConfig.Port;
    const toOwnListener =
      port === undefined || port === '#{port}' || listeners.some((l) => String(l.port) === port);
    return { kind: 'redirect', config: action.RedirectConfig, toOwnListener };
  }
  const weighted = action.ForwardConfig?.TargetGroups?.length
    ? action.ForwardConfig.TargetGroups.map((t) => ({ arn: t.TargetGroupArn ?? '', weight: t.Weight ?? 1 }))
    : [{ arn: action.TargetGroupArn ?? '', weight: 1 }];
  const groups = weighted.flatMap(({ arn, weight }) => {
    const group = store.targetGroups.get(arn)?.group;
    return group ? [{ group, weight }] : [];
  });
  return groups.length > 0 ? { kind: 'forward', groups } : { kind: 'none' };
}

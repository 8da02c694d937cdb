/** Checks of one service that relate several of its keys, or its files on disk. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { taskCount } from './capacity-checks.js';
import type { Finding, KeyPath } from './errors.js';
import { fargatePairProblem } from './fargate.js';
import type { ServicePart } from './parts.js';
import { APP_OUTPUTS, isAppOutput, referencesIn } from './references.js';
import type { ParsedManifest } from './schema.js';
import { buildSpec, type ParsedService } from './service-schema.js';
import { didYouMean } from './suggest.js';

export interface ServiceContext {
  /** The folder relative build paths are resolved against. */
  root: string;
  buildPlatforms?: ParsedManifest['deployment']['buildPlatforms'];
}

/** Checks only what the valid keys allow: a broken key's checks wait until it is fixed. */
export function checkService({ name, service, broken }: ServicePart, context: ServiceContext): Finding[] {
  const at = (...keys: (string | number)[]) => ['services', name, ...keys];
  const valid = (...keys: (keyof ParsedService)[]) => keys.every((key) => !broken.has(key));
  const findings: Finding[] = [];
  if (valid('build', 'image')) findings.push(...checkImageSource(service, at));
  if (service.build !== undefined) findings.push(...checkBuild(service.build, at('build'), context));

  if (service.cpu !== undefined && service.memory !== undefined) {
    const pair = fargatePairProblem(service.cpu, service.memory);
    if (pair) findings.push({ path: at('memory'), message: pair });
  }

  if (service.healthCheck && service.healthCheck.timeout >= service.healthCheck.interval) {
    const { timeout, interval } = service.healthCheck;
    findings.push({
      path: at('healthCheck', 'timeout'),
      message: `must be less than the health check's interval (got timeout ${timeout} s, interval ${interval} s)`,
    });
  }

  for (const secret of Object.keys(service.secrets ?? {})) {
    if (service.environment && secret in service.environment) {
      findings.push({
        path: at('secrets', secret),
        message:
          'is also in environment: a variable is either plain (environment) or secret (secrets), not both',
      });
    }
  }

  if (service.verify?.identity && valid('desiredCount', 'scaling') && taskCount(service) < 2) {
    const count = service.scaling
      ? `scaling.min of at least 2, to see several distinct tasks answer (got scaling.min ${service.scaling.min})`
      : `desiredCount of at least 2, to see several distinct tasks answer (got desiredCount ${service.desiredCount})`;
    findings.push({ path: at('verify', 'identity'), message: `needs ${count}` });
  }

  const platform = service.architecture === 'ARM64' ? 'linux/arm64' : 'linux/amd64';
  const platforms = context.buildPlatforms;
  if (service.build !== undefined && service.architecture && platforms && !platforms.includes(platform)) {
    findings.push({
      path: at('architecture'),
      message: `${service.architecture} tasks need ${platform} in deployment.buildPlatforms (got ${platforms.join(', ')})`,
    });
  }
  return findings;
}

function checkImageSource(service: Partial<ParsedService>, at: (...keys: string[]) => KeyPath): Finding[] {
  if (service.build !== undefined && service.image !== undefined) {
    return [{ path: at('image'), message: 'use either build or image, not both' }];
  }
  if (service.build === undefined && service.image === undefined) {
    return [
      {
        path: at(),
        message: 'needs build (a folder with a Dockerfile) or image (an existing image reference)',
      },
    ];
  }
  return [];
}

function checkBuild(
  build: NonNullable<ParsedService['build']>,
  path: (string | number)[],
  context: ServiceContext,
) {
  const findings: Finding[] = [];
  const spec = buildSpec(build);
  const written = typeof build === 'string' ? path : [...path, 'context'];
  const folder = resolve(context.root, spec.context);
  const dockerfile = resolve(folder, spec.dockerfile);
  const kind = kindOf(folder);
  if (kind !== 'folder') {
    const why = kind === 'missing' ? 'does not exist' : 'is not a folder';
    findings.push({
      path: written,
      message: `must be the build context folder, relative to stepship.yml: ${folder} ${why}`,
    });
  } else if (kindOf(dockerfile) !== 'file') {
    findings.push({
      path: typeof build === 'string' ? path : [...path, 'dockerfile'],
      message: `needs a Dockerfile: ${dockerfile} does not exist`,
    });
  }
  for (const [arg, value] of Object.entries(spec.args)) {
    for (const reference of referencesIn(value)) {
      if (isAppOutput(reference)) continue;
      findings.push({
        path: [...path, 'args', arg],
        message: `\${${reference}} is not a known reference${didYouMean(reference, APP_OUTPUTS)} (known: ${APP_OUTPUTS.map((r) => `\${${r}}`).join(', ')})`,
      });
    }
  }
  return findings;
}

function kindOf(path: string): 'folder' | 'file' | 'other' | 'missing' {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return 'missing';
    return stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : 'other';
  } catch {
    // A path through a file (ENOTDIR) or an unreadable folder: not a usable context either way.
    return 'missing';
  }
}

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { IMAGE_DIGEST, IMAGE_TAG } from '../../functions/contract/request.js';
import type { AppModel, ServiceModel } from '../../manifest/model.js';
import { UsageError } from '../errors.js';
import { servicesNamed } from '../session.js';

/** What deploying one service means: build a folder, deploy an image in its repository, or nothing. */
export type DeploySource =
  | { kind: 'source'; dir: string }
  | { kind: 'image'; imageTag: string }
  | { kind: 'image'; imageDigest: string }
  | { kind: 'skip'; reason: string };

export interface DeployPlan {
  service: ServiceModel;
  source: DeploySource;
}

export interface DeployChoice {
  image?: string;
  source?: string;
}

/** `--image` takes a tag of the service's repository or a digest; nothing else names an image there. */
export function parseImageFlag(value: string): { imageTag: string } | { imageDigest: string } {
  if (IMAGE_DIGEST.test(value)) return { imageDigest: value };
  if (IMAGE_TAG.test(value)) return { imageTag: value };
  throw new UsageError(
    `--image must be a tag of the service's repository (up to 128 of A-Z a-z 0-9 _ . -) or a digest (sha256: and 64 hex digits), got "${value}"`,
  );
}

/**
 * The deployments `deploy [service…]` asks for, in dependsOn order: each
 * service built from its build context, unless --image or --source says
 * otherwise. A service that runs an existing image (no build) is skipped
 * unless --image names one.
 */
export function planDeploys(app: AppModel, names: string[], choice: DeployChoice): DeployPlan[] {
  if (choice.image !== undefined && choice.source !== undefined)
    throw new UsageError('Give --image or --source, not both');
  const services = servicesNamed(app, names);
  if (choice.source !== undefined && services.length !== 1)
    throw new UsageError('--source builds one folder: name the one service it is for');
  const image = choice.image === undefined ? undefined : parseImageFlag(choice.image);
  const sourceDir = choice.source === undefined ? undefined : folder(choice.source);
  return services.map((service) => ({
    service,
    source: image
      ? { kind: 'image', ...image }
      : sourceDir
        ? { kind: 'source', dir: sourceDir }
        : service.image.kind === 'build'
          ? { kind: 'source', dir: service.image.context }
          : {
              kind: 'skip',
              reason: `runs an existing image (${service.image.reference}): nothing to build; deploy one with --image TAG`,
            },
  }));
}

function folder(path: string): string {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--source must be a folder to build, and ${dir} is not one`);
  return dir;
}

/**
 * The parts of a manifest that are valid on their own, so that cross-checks
 * run even when another part has a problem, and every problem is reported at once.
 */
import type { z } from 'zod';
import type { ParsedManifest, ParsedTable } from './schema.js';
import { manifestSchema } from './schema.js';
import type { ParsedService } from './service-schema.js';
import { serviceSchema } from './service-schema.js';

/** A service's valid keys (absent keys defaulted), and the keys that are written but invalid. */
export interface ServicePart {
  name: string;
  service: Partial<ParsedService>;
  broken: ReadonlySet<string>;
}

export interface ManifestParts {
  /** Every service with the keys that are valid, in manifest order. */
  services: ServicePart[];
  /** Every service the manifest names, valid or not. */
  serviceNames: string[];
  tables: [string, ParsedTable][];
  tableNames: string[];
  network?: ParsedManifest['network'];
  domain?: ParsedManifest['domain'];
  deployment?: ParsedManifest['deployment'];
}

export function partsOf(manifest: ParsedManifest): ManifestParts {
  const services = Object.entries(manifest.services).map(([name, service]) => ({
    name,
    service,
    broken: new Set<string>(),
  }));
  const tables = Object.entries(manifest.tables);
  return {
    services,
    serviceNames: services.map(({ name }) => name),
    tables,
    tableNames: tables.map(([name]) => name),
    network: manifest.network,
    domain: manifest.domain,
    deployment: manifest.deployment,
  };
}

/** The valid parts of a manifest that failed validation as a whole. */
export function salvage(document: unknown): ManifestParts {
  const root = asMap(document);
  const shape = manifestSchema.shape;
  const valid = <T>(result: { success: boolean; data?: T }): T | undefined =>
    result.success ? result.data : undefined;
  const entries = <T>(
    map: Record<string, unknown>,
    parse: (value: unknown) => T | undefined,
  ): [string, T][] =>
    Object.entries(map).flatMap(([name, value]) => {
      const parsed = parse(value);
      return parsed === undefined ? [] : [[name, parsed] as [string, T]];
    });
  const services = asMap(root.services);
  const tables = asMap(root.tables);
  const tableSchema = shape.tables.unwrap().valueType;
  return {
    services: Object.entries(services).map(([name, value]) => salvageService(name, value)),
    serviceNames: Object.keys(services),
    tables: entries(tables, (value) => valid(tableSchema.safeParse(value))),
    tableNames: Object.keys(tables),
    network: valid(shape.network.safeParse(root.network)),
    domain: valid(shape.domain.safeParse(root.domain)),
    deployment: valid(shape.deployment.safeParse(root.deployment)),
  };
}

/** Each key of a service on its own: one bad key leaves the others checkable. */
function salvageService(name: string, value: unknown): ServicePart {
  const written = asMap(value);
  const service: Record<string, unknown> = {};
  const keys = Object.keys(serviceSchema.shape);
  if (written !== value) return { name, service: {}, broken: new Set(keys) };
  const broken = new Set<string>();
  for (const [key, schema] of Object.entries(serviceSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(written[key]);
    if (result.success) service[key] = result.data;
    else broken.add(key);
  }
  return { name, service: service as Partial<ParsedService>, broken };
}

function asMap(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** `${…}` references in manifest strings: the app's outputs in build arguments, tables in checks. */
import type { AppOutputReference } from './model.js';

export const APP_OUTPUTS: readonly AppOutputReference[] = ['loadBalancer.dnsName', 'loadBalancer.url'];

/** What each `${…}` in text names, in order of appearance. */
export function referencesIn(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1] ?? '');
}

export function isAppOutput(reference: string): reference is AppOutputReference {
  return (APP_OUTPUTS as readonly string[]).includes(reference);
}

const TABLE_REFERENCE = /^table:(.*)$/;

/** The table a `${table:<name>}` reference names, or undefined for any other reference. */
export function tableReferenced(reference: string): string | undefined {
  return TABLE_REFERENCE.exec(reference)?.[1];
}

/**
 * How deeply a JSON text nests, read without parsing it: what a request may
 * nest is bounded before anything recursive (the codec, JSON.stringify, a
 * validator) walks it, since a few kilobytes of `[[[[…` would otherwise
 * exhaust the stack. Brackets inside strings don't count.
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Deeper than any AWS request shape goes (DynamoDB's 32 levels of attribute
 * nesting in `{"M":{…}}` are 64 here), shallow enough for every recursive
 * walk of it.
 */
export const MAX_REQUEST_NESTING = 100;

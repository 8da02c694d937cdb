/** Writes manifest/stepship.schema.json from the zod schema (npm run manifest:schema). */
import { writeFileSync } from 'node:fs';
import { manifestJsonSchema } from './json-schema.js';

const target = new URL('./stepship.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);

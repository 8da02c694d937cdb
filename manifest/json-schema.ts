/** The JSON Schema of stepship.yml, for editors (`# yaml-language-server: $schema=…`). */
import { z } from 'zod';
import { manifestSchema } from './schema.js';

export function manifestJsonSchema(): Record<string, unknown> {
  return {
    // Draft 7 is the newest draft every YAML and JSON editor plugin reads.
    ...z.toJSONSchema(manifestSchema, {
      target: 'draft-07',
      // What a user writes, before stepship turns "5m" into 300 and "1 GB" into 1024.
      io: 'input',
      override: ({ zodSchema, jsonSchema }) => {
        // zod leaves out defaults of fields it transforms; ours are all valid as written.
        const def = zodSchema._zod.def;
        if (def.type === 'default' && jsonSchema.default === undefined) {
          jsonSchema.default = JSON.parse(JSON.stringify(def.defaultValue));
        }
      },
    }),
    title: 'stepship.yml',
    description:
      'An app deployed by stepship: its services on ECS Fargate behind one load balancer, and its tables.',
  };
}

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from './scenario.ts';

// Regenerates scenario.schema.json from the zod schema: node --import tsx local/simulator/generate-schema.ts

const target = fileURLToPath(new URL('./scenario.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
console.log(`Wrote ${target}`);

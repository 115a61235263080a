// Bundles every function of template.yaml with the esbuild options its Metadata gives, as `sam build` would.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, readTemplate, templateFunctions } from './template.ts';

const rows: Array<{ function: string; bytes: number }> = [];
for (const fn of templateFunctions(readTemplate())) {
  const outdir = join('dist', fn.logicalId);
  await build({ ...esbuildOptions(fn, outdir), logLevel: 'warning' });
  rows.push({
    function: `${fn.logicalId} (${dirname(fn.entryPoint)})`,
    bytes: statSync(join(outdir, 'handler.mjs')).size,
  });
}
console.table(rows);

// Bundles every function of template.yaml with the esbuild options its Metadata gives, as `sam build` would.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { readTemplate, templateFunctions } from './template.ts';

const outRoot = 'dist';
const rows: Array<{ function: string; bytes: number }> = [];
for (const fn of templateFunctions(readTemplate())) {
  const options = fn.buildProperties;
  const banner = ((options.Banner as string[] | undefined) ?? [])
    .map((entry) => entry.replace(/^js=/, ''))
    .join('\n');
  const outdir = join(outRoot, fn.logicalId);
  await build({
    entryPoints: [fn.entryPoint],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: String(options.Target ?? 'es2023'),
    minify: options.Minify === true,
    sourcemap: options.Sourcemap === true,
    outExtension: { '.js': '.mjs' },
    banner: { js: banner },
    logLevel: 'warning',
  });
  const file = join(outdir, 'handler.mjs');
  rows.push({ function: `${fn.logicalId} (${dirname(fn.entryPoint)})`, bytes: statSync(file).size });
}
console.table(rows);

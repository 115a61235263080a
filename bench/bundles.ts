// Bundle size and cold-start module load of every Lambda function, bundled exactly as
// scripts/build.ts (and `sam build`) does from template.yaml's Metadata, plus what two options
// would change: the AWS SDK left to the Lambda runtime, and the input schema on zod/mini.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import { esbuildOptions, readTemplate, type Template, templateFunctions } from '../scripts/template.ts';
import { median } from './metrics.ts';

const run = promisify(execFile);

export type BundleOption = 'deployed' | 'sdk-external' | 'zod-mini' | 'sdk-external+zod-mini';
export const bundleOptions: readonly BundleOption[] = [
  'deployed',
  'sdk-external',
  'zod-mini',
  'sdk-external+zod-mini',
];

export interface BundleResult {
  function: string;
  entryPoint: string;
  option: BundleOption;
  bytes: number;
  /** Output bytes per source package (own code is "functions"), largest first, from esbuild's metafile. */
  byPackage: Array<{ name: string; bytes: number }>;
  /** Median ms of `await import(bundle)` in fresh node processes, with the template's NODE_OPTIONS. */
  loadMs: number;
  /** Median ms from the process's start to the import done (node's own start-up included). */
  sinceStartMs: number;
  /** Set when this option's bundle is byte-identical to another option's (it changed nothing here). */
  sameAs?: BundleOption;
  /** Median import ms without --enable-source-maps (deployed option only). */
  loadMsWithoutSourceMaps?: number;
}

export interface BundleReport {
  results: BundleResult[];
  /** The same probe importing an empty module, in the same run: the floor under every loadMs. */
  emptyModule: { loadMs: number; sinceStartMs: number };
  /** Fresh processes per deployed bundle (each with and without source maps), and per option bundle. */
  runs: number;
  optionRuns: number;
  nodeOptions: string;
}

const zodMiniInput = resolve('bench/options/zod-mini-input.ts');

/** Swaps functions/shared/input.ts for its zod/mini rendering at build time. */
const zodMiniPlugin: Plugin = {
  name: 'zod-mini-input',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /shared\/input\.ts$/ }, (args) => {
      const resolved = resolve(args.resolveDir, args.path);
      return resolved === resolve('functions/shared/input.ts') ? { path: zodMiniInput } : undefined;
    });
  },
};

/** The package an input file belongs to: node_modules/<name> or node_modules/@scope/<name>, else ours. */
export function packageOf(inputPath: string): string {
  const marker = 'node_modules/';
  const at = inputPath.lastIndexOf(marker);
  const parts = (at >= 0 ? inputPath.slice(at + marker.length) : inputPath).split('/');
  const [first = inputPath, second] = parts;
  if (at < 0) return first;
  return first.startsWith('@') && second ? `${first}/${second}` : first;
}

/** Output bytes grouped by package, largest first. */
export function bytesByPackage(metafile: Metafile): Array<{ name: string; bytes: number }> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * The environment template.yaml gives a function (Globals, then its own), as plain strings: a `Ref`
 * to a parameter takes the parameter's default, a `Ref` to a resource a placeholder ARN of its type.
 */
export function templateEnvironment(template: Template, logicalId: string): Record<string, string> {
  const variables = (from: unknown): Record<string, unknown> => {
    if (typeof from !== 'object' || from === null || !('Variables' in from)) return {};
    const { Variables } = from;
    return typeof Variables === 'object' && Variables !== null ? { ...Variables } : {};
  };
  const merged = {
    ...variables(template.Globals?.Function?.Environment),
    ...variables(template.Resources[logicalId]?.Properties?.Environment),
  };
  const resolveValue = (value: unknown): string => {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (typeof value !== 'object' || value === null || !('Ref' in value) || typeof value.Ref !== 'string')
      return 'bench-placeholder';
    const parameter = template.Parameters?.[value.Ref];
    if (typeof parameter === 'object' && parameter !== null && 'Default' in parameter)
      return String(parameter.Default);
    const type = template.Resources[value.Ref]?.Type ?? '';
    if (type.includes('SNS')) return `arn:aws:sns:us-east-1:123456789012:${value.Ref}`;
    if (type.includes('StateMachine'))
      return `arn:aws:states:us-east-1:123456789012:stateMachine:${value.Ref}`;
    return value.Ref;
  };
  return Object.fromEntries(Object.entries(merged).map(([name, value]) => [name, resolveValue(value)]));
}

interface BuiltBundle {
  environment: Record<string, string>;
  function: string;
  entryPoint: string;
  option: BundleOption;
  file: string;
  bytes: number;
  byPackage: Array<{ name: string; bytes: number }>;
}

async function buildAll(outRoot: string): Promise<BuiltBundle[]> {
  const built: BuiltBundle[] = [];
  const template = readTemplate();
  for (const fn of templateFunctions(template)) {
    for (const option of bundleOptions) {
      const outdir = join(outRoot, option, fn.logicalId);
      // The template's options (scripts/template.ts); the variants add only `external` or the plugin.
      const result = await build({
        ...esbuildOptions(fn, outdir),
        logLevel: 'error',
        metafile: true,
        ...(option.startsWith('sdk-external') ? { external: ['@aws-sdk/*'] } : {}),
        ...(option.endsWith('zod-mini') ? { plugins: [zodMiniPlugin] } : {}),
      });
      const file = join(outdir, 'handler.mjs');
      built.push({
        environment: templateEnvironment(template, fn.logicalId),
        function: fn.logicalId,
        entryPoint: fn.entryPoint,
        option,
        file,
        bytes: statSync(file).size,
        byPackage: bytesByPackage(result.metafile),
      });
    }
  }
  return built;
}

const probe = [
  'const started = performance.now();',
  'await import(process.argv[1]);',
  'const done = performance.now();',
  'process.stdout.write(JSON.stringify({ loadMs: done - started, sinceStartMs: done }));',
].join('\n');

interface Probe {
  loadMs: number;
  sinceStartMs: number;
}

async function probeLoad(
  file: string,
  environment: Record<string, string>,
  nodeOptions: string,
): Promise<Probe> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', probe, pathToFileURL(file).href],
    {
      // What Lambda sets, then the function's own variables; NODE_OPTIONS as the caller says.
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: 'bench',
        ...environment,
        NODE_OPTIONS: nodeOptions,
      },
    },
  );
  const parsed: unknown = JSON.parse(stdout);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('loadMs' in parsed) ||
    !('sinceStartMs' in parsed) ||
    typeof parsed.loadMs !== 'number' ||
    typeof parsed.sinceStartMs !== 'number'
  )
    throw new Error(`The load probe printed ${stdout}`);
  return { loadMs: parsed.loadMs, sinceStartMs: parsed.sinceStartMs };
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Bundles every template function (deployed options and the variants) into a temp dir, then loads
 * each bundle in `runs` fresh node processes, round-robin so that machine noise spreads evenly.
 */
export async function measureBundles(runs = 7): Promise<BundleReport> {
  const outRoot = mkdtempSync(join(tmpdir(), 'eks-upgrade-bench-'));
  try {
    // Bundles with the SDK external find it as the Lambda runtime would: in a node_modules above them.
    symlinkSync(resolve('node_modules'), join(outRoot, 'node_modules'), 'dir');
    mkdirSync(join(outRoot, 'empty'));
    const empty = join(outRoot, 'empty', 'empty.mjs');
    writeFileSync(empty, 'export {};\n');
    const bundles = await buildAll(outRoot);
    const nodeOptions = templateEnvironment(readTemplate(), '').NODE_OPTIONS ?? '';
    const environmentOf = new Map(bundles.map((bundle) => [bundle.file, bundle.environment]));

    // Deployed bundles: `runs` samples with the template's NODE_OPTIONS and `runs` without; the
    // options: fewer, and none for a bundle byte-identical to its deployed one (the same file loads the same).
    const optionRuns = Math.max(3, Math.ceil(runs / 2));
    const contentOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const deployedByFunction = new Map(
      bundles.filter((b) => b.option === 'deployed').map((b) => [b.function, b.file]),
    );
    // A bundle byte-identical to one already listed (an option that changed nothing) is not loaded again.
    const sameAs = new Map<string, string>();
    const firstWithContent = new Map<string, BuiltBundle>();
    for (const bundle of bundles) {
      const content = `${bundle.function}:${contentOf(bundle.file)}`;
      const first = firstWithContent.get(content);
      if (first) sameAs.set(bundle.file, first.file);
      else firstWithContent.set(content, bundle);
    }
    const optionOf = new Map(bundles.map((bundle) => [bundle.file, bundle.option]));
    const files = [empty, ...bundles.map((bundle) => bundle.file)].filter((file) => !sameAs.has(file));
    const deployed = new Set([empty, ...deployedByFunction.values()]);
    const deployedSamples = new Map<string, Probe[]>(files.map((file) => [file, []]));
    const plainSamples = new Map<string, Probe[]>(files.map((file) => [file, []]));
    for (let sample = 0; sample < runs; sample += 1) {
      for (const file of files) {
        if (!deployed.has(file) && sample >= optionRuns) continue;
        const environment = environmentOf.get(file) ?? {};
        deployedSamples.get(file)?.push(await probeLoad(file, environment, nodeOptions));
        if (deployed.has(file)) plainSamples.get(file)?.push(await probeLoad(file, environment, ''));
      }
    }
    const samplesOf = (file: string) => deployedSamples.get(sameAs.get(file) ?? file);
    const medianOf = (samples: Probe[] | undefined, key: keyof Probe) =>
      round(median((samples ?? []).map((sample) => sample[key])));
    return {
      runs,
      optionRuns,
      nodeOptions,
      emptyModule: {
        loadMs: medianOf(deployedSamples.get(empty), 'loadMs'),
        sinceStartMs: medianOf(deployedSamples.get(empty), 'sinceStartMs'),
      },
      results: bundles.map((bundle) => ({
        function: bundle.function,
        entryPoint: bundle.entryPoint,
        option: bundle.option,
        bytes: bundle.bytes,
        byPackage: bundle.byPackage,
        loadMs: medianOf(samplesOf(bundle.file), 'loadMs'),
        sinceStartMs: medianOf(samplesOf(bundle.file), 'sinceStartMs'),
        ...(sameAs.has(bundle.file)
          ? { sameAs: optionOf.get(sameAs.get(bundle.file) ?? '') ?? 'deployed' }
          : {}),
        ...(bundle.option === 'deployed'
          ? { loadMsWithoutSourceMaps: medianOf(plainSamples.get(bundle.file), 'loadMs') }
          : {}),
      })),
    };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

import { readFileSync } from 'node:fs';
import type { BuildOptions } from 'esbuild';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';

/** template.yaml as data: CloudFormation short-form tags become their long form (`!Sub x` -> `{ 'Fn::Sub': x }`). */
export interface Template {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
  Globals?: { Function?: Record<string, unknown> };
  Parameters?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

const functionNames = [
  'Ref',
  'Sub',
  'GetAtt',
  'Not',
  'Equals',
  'If',
  'Join',
  'Select',
  'Split',
  'And',
  'Or',
  'FindInMap',
];

function intrinsicTags(): Array<ScalarTag | CollectionTag> {
  return functionNames.flatMap((name) => {
    const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
    const scalar: ScalarTag = {
      tag: `!${name}`,
      resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }),
    };
    const sequence: CollectionTag = {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (value) => ({ [key]: value.toJSON() }),
    };
    return [scalar, sequence];
  });
}

export function readTemplate(path = 'template.yaml'): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: intrinsicTags() }) as Template;
}

/** Every AWS::Serverless::Function: logical id, entry point and esbuild options from its Metadata. */
export function templateFunctions(template: Template) {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .map(([logicalId, resource]) => {
      const buildProperties = (resource.Metadata?.BuildProperties ?? {}) as Record<string, unknown>;
      const entryPoints = (buildProperties.EntryPoints ?? []) as string[];
      return {
        logicalId,
        entryPoint: entryPoints[0] ?? '',
        buildProperties,
        properties: resource.Properties ?? {},
      };
    });
}

/** The esbuild options a function's Metadata gives, as `sam build` applies them. */
export function esbuildOptions(
  fn: ReturnType<typeof templateFunctions>[number],
  outdir: string,
): BuildOptions {
  const options = fn.buildProperties;
  const banner = ((options.Banner as string[] | undefined) ?? [])
    .map((entry) => entry.replace(/^js=/, ''))
    .join('\n');
  return {
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
  };
}

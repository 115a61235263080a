import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type BundleReport, bytesByPackage, packageOf, templateEnvironment } from '../../bench/bundles.ts';
import {
  type BenchResults,
  evaluateTargets,
  formatResults,
  pairedShare,
  scenarioResult,
  summarize,
} from '../../bench/report.ts';
import type { RunMetrics } from '../../bench/workflow-runs.ts';
import type { Template } from '../../scripts/template.ts';

const run = (overrides: Partial<RunMetrics>): RunMetrics => ({
  scenario: 'seed',
  variant: 'product',
  seed: 1,
  timingScale: 1,
  status: 'SUCCEEDED',
  maxConcurrentNodegroups: 1,
  stateTransitions: 60,
  lambdaInvocations: 20,
  largestHistoryEvents: 300,
  maxPayloadBytes: 4000,
  simulatedSeconds: 2640,
  criticalPathSeconds: 2640,
  overhead: 1,
  latencies: [0, 0, 0],
  rotations: 1,
  plannedRotations: 1,
  nodesReplaced: 3,
  nodegroupPhaseSeconds: 960,
  nodegroupLowerBoundSeconds: 960,
  estimatedSeconds: 2640,
  wallSeconds: 1,
  updates: [],
  ...overrides,
});

const bundles: BundleReport = {
  runs: 7,
  optionRuns: 4,
  nodeOptions: '--enable-source-maps',
  emptyModule: { loadMs: 1, sinceStartMs: 20 },
  results: [
    {
      function: 'Small',
      entryPoint: 'functions/small/handler.ts',
      option: 'deployed',
      bytes: 100 * 1024,
      byPackage: [{ name: 'functions', bytes: 100 * 1024 }],
      loadMs: 40,
      sinceStartMs: 60,
      loadMsWithoutSourceMaps: 30,
    },
    {
      function: 'Big',
      entryPoint: 'functions/big/handler.ts',
      option: 'deployed',
      bytes: 1000 * 1024,
      byPackage: [{ name: 'zod', bytes: 500 * 1024 }],
      loadMs: 130,
      sinceStartMs: 150,
      loadMsWithoutSourceMaps: 110,
    },
    {
      function: 'Big',
      entryPoint: 'functions/big/handler.ts',
      option: 'sdk-external',
      bytes: 500 * 1024,
      byPackage: [],
      loadMs: 140,
      sinceStartMs: 160,
    },
  ],
};

describe('summarize and scenarioResult', () => {
  it('takes percentiles over samples, latency over every update of every sample', () => {
    const runs = [1, 2, 3, 4].map((seed) =>
      run({
        seed,
        latencies: [seed, 10 * seed],
        overhead: 1 + seed / 100,
        stateTransitions: 100 * seed,
        nodegroupPhaseSeconds: 1000 + 10 * seed,
        estimatedSeconds: 2640 * 1.1,
      }),
    );
    const summary = summarize(runs);
    expect(summary.latency).toEqual({ p50: 4, p95: 40, max: 40, updates: 8 });
    expect(summary.overhead).toEqual({ p50: 1.02, p95: 1.04, max: 1.04 });
    expect(summary.transitions.p50).toBe(200);
    expect(summary.nodegroupPhaseRatio?.p95).toBe(1.083);
    expect(summary.estimateError?.p50).toBe(0.1);
    expect(summary.rotationsAsPlanned).toBe(true);
    expect(summarize([...runs, run({ seed: 5, rotations: 2 })]).rotationsAsPlanned).toBe(false);
  });

  it('compares transitions seed by seed, on the seeds the baseline ran', () => {
    const product = [1, 2, 3].map((seed) => run({ seed, stateTransitions: 100 * seed }));
    const naive = [1, 2].map((seed) => run({ seed, variant: 'naive', stateTransitions: 400 * seed }));
    expect(pairedShare(product, naive)).toBe(0.25);
    const result = scenarioResult('seed', [...product, ...naive]);
    expect(result.variants.map((summary) => [summary.variant, summary.samples])).toEqual([
      ['product', 3],
      ['naive', 2],
    ]);
    expect(result.transitionsShare).toEqual({ naive: 0.25 });
  });
});

describe('evaluateTargets', () => {
  it('checks the product against the naive loop and the fixed targets, with the ratio to each', () => {
    const runs = [
      run({ latencies: [5, 31], overhead: 1.01, stateTransitions: 60 }),
      run({ variant: 'naive', stateTransitions: 240 }),
    ];
    const verdicts = evaluateTargets([scenarioResult('seed', runs)], null);
    const byTarget = Object.fromEntries(verdicts.map((verdict) => [verdict.target, verdict]));
    expect(byTarget['transitions / naive']).toMatchObject({ measured: 0.25, pass: true, ratio: 0.5 });
    expect(byTarget['detection latency p50 (s)']).toMatchObject({ measured: 5, pass: true });
    expect(byTarget['detection latency p95 (s)']).toMatchObject({ measured: 31, pass: false });
    expect(byTarget['overhead p95']).toMatchObject({ measured: 1.01, pass: true });
    expect(byTarget['rotations = planned (samples)']).toMatchObject({ measured: 1, limit: 1, pass: true });
  });

  it('misses rotations above the plan, histories over the target, and bundles at or over their limits', () => {
    const runs = [
      run({ rotations: 2, largestHistoryEvents: 2501 }),
      run({ variant: 'naive', stateTransitions: 300 }),
    ];
    const failed = evaluateTargets([scenarioResult('seed', runs)], bundles)
      .filter((verdict) => !verdict.pass)
      .map((verdict) => `${verdict.target} ${verdict.subject}`);
    expect(failed).toEqual([
      'largest history (events) seed',
      'rotations = planned (samples) seed',
      'bundle bytes Big',
      'module load (ms) Big',
    ]);
  });
});

describe('formatResults', () => {
  it('prints every variant with its samples, the sensitivity rows, bundles and each target with PASS or MISS', () => {
    const runs = [run({}), run({ variant: 'naive', stateTransitions: 300 }), run({ variant: 'eksctl' })];
    const scenarios = [scenarioResult('seed', runs)];
    const results: BenchResults = {
      generatedAt: '2026-11-25T00:00:00.000Z',
      node: 'v22.0.0',
      wallSeconds: 42,
      samples: 1,
      baselineSamples: 1,
      scenarios,
      sensitivity: [{ scenario: 'seed', timingScale: 1.5, product: summarize([run({ timingScale: 1.5 })]) }],
      bundles,
      targets: evaluateTargets(scenarios, bundles),
      runs,
    };
    const text = formatResults(results);
    expect(text).toContain('| seed');
    expect(text).toContain('naive (30 s, 1 at a time, roll all) x1');
    expect(text).toContain('300 (product 0.20x)');
    expect(text).toContain('eksctl-like (30 s, 1 at a time) x1');
    expect(text).toContain('x1.5 (AWS slower)');
    expect(text).toMatch(/bundle bytes\s+\| Small.*PASS/);
    expect(text).toContain('Wall time 42.0 s');
  });
});

describe('bundle accounting', () => {
  it('names the package an input file comes from', () => {
    expect(packageOf('node_modules/zod/v4/classic/schemas.js')).toBe('zod');
    expect(packageOf('node_modules/@aws-sdk/client-eks/dist-es/index.js')).toBe('@aws-sdk/client-eks');
    expect(packageOf('node_modules/@smithy/core/node_modules/@smithy/types/dist/index.js')).toBe(
      '@smithy/types',
    );
    expect(packageOf('functions/shared/polling.ts')).toBe('functions');
  });

  it('adds output bytes per package, largest first', () => {
    const metafile: Metafile = {
      inputs: {},
      outputs: {
        'out/handler.mjs': {
          bytes: 0,
          imports: [],
          exports: [],
          inputs: {
            'node_modules/zod/a.js': { bytesInOutput: 5 },
            'node_modules/zod/b.js': { bytesInOutput: 7 },
            'functions/x/handler.ts': { bytesInOutput: 3 },
          },
        },
      },
    };
    expect(bytesByPackage(metafile)).toEqual([
      { name: 'zod', bytes: 12 },
      { name: 'functions', bytes: 3 },
    ]);
  });

  it("gives each function the template's environment, Refs resolved to defaults or placeholder ARNs", () => {
    const template: Template = {
      Parameters: { LogLevel: { Type: 'String', Default: 'INFO' } },
      Globals: {
        Function: {
          Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', LEVEL: { Ref: 'LogLevel' } } },
        },
      },
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic' },
        Fn: {
          Type: 'AWS::Serverless::Function',
          Properties: { Environment: { Variables: { TOPIC_ARN: { Ref: 'Topic' } } } },
        },
      },
    };
    expect(templateEnvironment(template, 'Fn')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      LEVEL: 'INFO',
      TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:Topic',
    });
  });
});

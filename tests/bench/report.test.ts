import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type BundleReport, bytesByPackage, packageOf, templateEnvironment } from '../../bench/bundles.ts';
import { type BenchResults, evaluateTargets, formatResults, parallelResult } from '../../bench/report.ts';
import type { RunMetrics } from '../../bench/workflow-runs.ts';
import type { Template } from '../../scripts/template.ts';

const run = (overrides: Partial<RunMetrics>): RunMetrics => ({
  scenario: 'seed',
  variant: 'product',
  timingScale: 1,
  status: 'SUCCEEDED',
  maxConcurrentNodegroups: 1,
  stateTransitions: 60,
  lambdaInvocations: 20,
  simulatedSeconds: 2640,
  criticalPathSeconds: 2640,
  overhead: 1,
  detectionLatencySeconds: { median: 0, max: 0, updates: 3 },
  rotations: 1,
  plannedRotations: 1,
  nodesReplaced: 3,
  nodegroupPhaseSeconds: 960,
  wallSeconds: 1,
  updates: [],
  ...overrides,
});

const nodegroupUpdate = (actualSeconds: number) => ({
  id: String(actualSeconds),
  kind: 'nodegroup' as const,
  resource: 'ng',
  status: 'Successful',
  expectedSeconds: actualSeconds,
  actualSeconds,
  polls: 3,
  latencySeconds: 0,
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

describe('evaluateTargets', () => {
  const scenarios = [
    {
      scenario: 'seed',
      product: run({ stateTransitions: 60, detectionLatencySeconds: { median: 5, max: 31, updates: 3 } }),
      naive: run({ variant: 'naive', stateTransitions: 240 }),
    },
  ];

  it('checks the product against the baseline and the fixed targets, with the ratio to each', () => {
    const verdicts = evaluateTargets(scenarios, null, null);
    const byTarget = Object.fromEntries(verdicts.map((verdict) => [verdict.target, verdict]));
    expect(byTarget['state transitions / baseline']).toMatchObject({ measured: 0.25, pass: true, ratio: 1 });
    expect(byTarget['max detection latency (s)']).toMatchObject({ measured: 31, pass: false });
    expect(byTarget.overhead).toMatchObject({ measured: 1, pass: true });
    expect(byTarget['node rotations = planned']).toMatchObject({ measured: 1, limit: 1, pass: true });
  });

  it('misses rotations above the plan, and bundles at or over their limits', () => {
    const verdicts = evaluateTargets(
      [
        {
          scenario: 'seed',
          product: run({ rotations: 2 }),
          naive: run({ variant: 'naive', stateTransitions: 300 }),
        },
      ],
      null,
      bundles,
    );
    const failed = verdicts
      .filter((verdict) => !verdict.pass)
      .map((verdict) => `${verdict.target} ${verdict.subject}`);
    expect(failed).toEqual(['node rotations = planned seed', 'bundle bytes Big', 'module load (ms) Big']);
  });
});

describe('parallelResult', () => {
  it('compares the node-group phases and gives the best speed-up these node groups allow', () => {
    const updates = [780, 1140, 960, 780].map(nodegroupUpdate);
    const serial = run({ nodegroupPhaseSeconds: 3660, updates });
    const parallel = run({ nodegroupPhaseSeconds: 1140, maxConcurrentNodegroups: 4, updates });
    expect(parallelResult(serial, parallel)).toEqual({
      scenario: 'seed',
      concurrency: 4,
      serialPhaseSeconds: 3660,
      parallelPhaseSeconds: 1140,
      speedUp: 3.21,
      idealSpeedUp: 3.21,
    });
  });
});

describe('formatResults', () => {
  it('prints every run, the parallel line, bundles and each target with PASS or MISS', () => {
    const scenarios = [
      { scenario: 'seed', product: run({}), naive: run({ variant: 'naive', stateTransitions: 300 }) },
    ];
    const parallel = parallelResult(
      run({ updates: [nodegroupUpdate(60)] }),
      run({ maxConcurrentNodegroups: 4 }),
    );
    const results: BenchResults = {
      generatedAt: '2026-11-25T00:00:00.000Z',
      node: 'v22.0.0',
      wallSeconds: 42,
      scenarios,
      parallel,
      sensitivity: [],
      bundles,
      targets: evaluateTargets(scenarios, parallel, bundles),
    };
    const text = formatResults(results);
    expect(text).toContain('| seed');
    expect(text).toContain('naive (30 s, 1 at a time, roll all)');
    expect(text).toMatch(/parallel speed-up \(4 vs 1\).*MISS/);
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

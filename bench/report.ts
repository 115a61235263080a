// The bench's results object, its targets (PASS/MISS with the ratio to each target) and the tables
// `npm run bench` prints. Pure: tests/bench/report.test.ts checks the summaries and verdicts.
import type { BundleReport } from './bundles.ts';
import { percentile } from './metrics.ts';
import { fleetScenario, largeClusterScenario, type RunMetrics, type Variant } from './workflow-runs.ts';

/** Scenarios run over every sample; the generated large ones over a few (each draw takes seconds of CPU). */
export const sampledScenarios = ['seed', 'four-nodegroups', 'multi-hop', 'ami-refresh'] as const;
export const largeScenarios = [largeClusterScenario, fleetScenario] as const;
/** AWS slower and faster than the scenario's distributions (every percentile scaled): polling is not tuned to them. */
export const sensitivityScenario = 'seed';
export const sensitivityScales = [0.7, 1.5] as const;

/** The product's targets (issue 16). */
export const targets = {
  latencyP50Seconds: 10,
  latencyP95Seconds: 30,
  overheadP95: 1.02,
  transitionsShareOfNaive: 0.5,
  historyEvents: 2_500,
  payloadBytes: 64 * 1024,
  nodegroupPhaseRatioP95: 1.05,
  bundleBytes: 250 * 1024,
  moduleLoadMs: 100,
} as const;

export interface TargetVerdict {
  target: string;
  subject: string;
  measured: number;
  limit: number;
  /** How the measured value must compare with the limit to pass. */
  rule: '<=' | '>=' | '==' | '<';
  /** measured / limit. */
  ratio: number;
  pass: boolean;
}

/** A measure over a variant's samples (or, for latency, over every update of every sample). */
export interface Spread {
  p50: number;
  p95: number;
  max: number;
}

export interface VariantSummary {
  variant: Variant;
  samples: number;
  succeeded: number;
  latency: Spread & { updates: number };
  overhead: Spread;
  transitions: Spread;
  lambdaInvocations: Spread;
  /** The largest over all samples: what comes nearest the quotas (25,000 events, 256 KiB). */
  largestHistoryEvents: number;
  maxPayloadBytes: number;
  rotations: Spread;
  plannedRotations: Spread;
  /** Whether every sample rolled exactly the node groups its plan asked for. */
  rotationsAsPlanned: boolean;
  nodesReplaced: Spread;
  /** Node-group phase over its lower bound; null without node groups. */
  nodegroupPhaseRatio: Spread | null;
  /** (plan's estimate - actual) / actual, signed; null for a fleet. */
  estimateError: Spread | null;
  simulatedSeconds: Spread;
}

export interface ScenarioResult {
  scenario: string;
  variants: VariantSummary[];
  /** The product's transitions over each baseline's, median over the seeds both ran; null when one did not run. */
  transitionsShare: Partial<Record<Exclude<Variant, 'product'>, number>>;
}

export interface BenchResults {
  generatedAt: string;
  node: string;
  wallSeconds: number;
  samples: number;
  baselineSamples: number;
  scenarios: ScenarioResult[];
  /** Not targets: the product on the same scenario with every AWS duration scaled. */
  sensitivity: Array<{ scenario: string; timingScale: number; product: VariantSummary }>;
  bundles: BundleReport | null;
  targets: TargetVerdict[];
  /** Every run, without its per-update detail. */
  runs: Array<Omit<RunMetrics, 'updates'>>;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export function spreadOf(values: readonly number[], digits = 2): Spread {
  return {
    p50: round(percentile(values, 0.5), digits),
    p95: round(percentile(values, 0.95), digits),
    max: round(values.length > 0 ? Math.max(...values) : 0, digits),
  };
}

/** One variant's samples of one scenario, summarized. */
export function summarize(runs: readonly RunMetrics[]): VariantSummary {
  const [first] = runs;
  if (!first) throw new Error('no runs to summarize');
  const latencies = runs.flatMap((run) => run.latencies);
  const withNodegroups = runs.filter((run) => run.nodegroupLowerBoundSeconds > 0);
  const estimated = runs.filter((run) => run.estimatedSeconds !== null && run.simulatedSeconds > 0);
  return {
    variant: first.variant,
    samples: runs.length,
    succeeded: runs.filter((run) => run.status === 'SUCCEEDED').length,
    latency: { ...spreadOf(latencies, 1), updates: latencies.length },
    overhead: spreadOf(
      runs.map((run) => run.overhead),
      3,
    ),
    transitions: spreadOf(runs.map((run) => run.stateTransitions)),
    lambdaInvocations: spreadOf(runs.map((run) => run.lambdaInvocations)),
    largestHistoryEvents: Math.max(...runs.map((run) => run.largestHistoryEvents)),
    maxPayloadBytes: Math.max(...runs.map((run) => run.maxPayloadBytes)),
    rotations: spreadOf(runs.map((run) => run.rotations)),
    plannedRotations: spreadOf(runs.map((run) => run.plannedRotations)),
    rotationsAsPlanned: runs.every((run) => run.rotations === run.plannedRotations),
    nodesReplaced: spreadOf(runs.map((run) => run.nodesReplaced)),
    nodegroupPhaseRatio:
      withNodegroups.length > 0
        ? spreadOf(
            withNodegroups.map((run) => run.nodegroupPhaseSeconds / run.nodegroupLowerBoundSeconds),
            3,
          )
        : null,
    estimateError:
      estimated.length > 0
        ? spreadOf(
            estimated.map(
              (run) => ((run.estimatedSeconds ?? 0) - run.simulatedSeconds) / run.simulatedSeconds,
            ),
            3,
          )
        : null,
    simulatedSeconds: spreadOf(runs.map((run) => run.simulatedSeconds)),
  };
}

/** The product's transitions over a baseline's, run by run on the seeds both ran: the median ratio. */
export function pairedShare(product: readonly RunMetrics[], baseline: readonly RunMetrics[]): number | null {
  const ratios = baseline.flatMap((other) => {
    const mine = product.find((run) => run.seed === other.seed);
    return mine && other.stateTransitions > 0 ? [mine.stateTransitions / other.stateTransitions] : [];
  });
  return ratios.length > 0 ? round(percentile(ratios, 0.5), 3) : null;
}

/** A scenario's runs, every variant, summarized and compared. */
export function scenarioResult(scenario: string, runs: readonly RunMetrics[]): ScenarioResult {
  const of = (variant: Variant) => runs.filter((run) => run.scenario === scenario && run.variant === variant);
  const variants = (['product', 'naive', 'eksctl'] as const).flatMap((variant) =>
    of(variant).length > 0 ? [summarize(of(variant))] : [],
  );
  const transitionsShare: ScenarioResult['transitionsShare'] = {};
  for (const baseline of ['naive', 'eksctl'] as const) {
    const share = pairedShare(of('product'), of(baseline));
    if (share !== null) transitionsShare[baseline] = share;
  }
  return { scenario, variants, transitionsShare };
}

function verdict(
  target: string,
  subject: string,
  measured: number,
  limit: number,
  rule: TargetVerdict['rule'],
): TargetVerdict {
  const pass =
    rule === '<='
      ? measured <= limit
      : rule === '<'
        ? measured < limit
        : rule === '>='
          ? measured >= limit
          : measured === limit;
  return {
    target,
    subject,
    measured,
    limit,
    rule,
    ratio: limit === 0 ? 0 : round(measured / limit, 3),
    pass,
  };
}

/** Every target checked against the product variant's numbers. */
export function evaluateTargets(
  scenarios: readonly ScenarioResult[],
  bundles: BundleReport | null,
): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  for (const { scenario, variants, transitionsShare } of scenarios) {
    const product = variants.find((summary) => summary.variant === 'product');
    if (!product) continue;
    verdicts.push(
      verdict('detection latency p50 (s)', scenario, product.latency.p50, targets.latencyP50Seconds, '<='),
      verdict('detection latency p95 (s)', scenario, product.latency.p95, targets.latencyP95Seconds, '<='),
      verdict('overhead p95', scenario, product.overhead.p95, targets.overheadP95, '<='),
    );
    if (transitionsShare.naive !== undefined)
      verdicts.push(
        verdict(
          'transitions / naive',
          scenario,
          transitionsShare.naive,
          targets.transitionsShareOfNaive,
          '<=',
        ),
      );
    verdicts.push(
      verdict(
        'largest history (events)',
        scenario,
        product.largestHistoryEvents,
        targets.historyEvents,
        '<=',
      ),
      verdict('largest payload (bytes)', scenario, product.maxPayloadBytes, targets.payloadBytes, '<='),
    );
    if (product.nodegroupPhaseRatio)
      verdicts.push(
        verdict(
          'node-group phase / bound p95',
          scenario,
          product.nodegroupPhaseRatio.p95,
          targets.nodegroupPhaseRatioP95,
          '<=',
        ),
      );
    verdicts.push(
      verdict(
        'rotations = planned (samples)',
        scenario,
        product.rotationsAsPlanned ? product.samples : 0,
        product.samples,
        '==',
      ),
    );
  }
  for (const bundle of bundles?.results.filter((result) => result.option === 'deployed') ?? []) {
    verdicts.push(
      verdict('bundle bytes', bundle.function, bundle.bytes, targets.bundleBytes, '<'),
      verdict('module load (ms)', bundle.function, bundle.loadMs, targets.moduleLoadMs, '<'),
    );
  }
  return verdicts;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const seconds = (value: number) => {
  const h = Math.floor(value / 3600);
  const m = Math.floor((value % 3600) / 60);
  const s = Math.round(value % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
};

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

const spread = (value: Spread | null, digits = 0) =>
  value ? `${value.p50.toFixed(digits)} / ${value.p95.toFixed(digits)}` : '-';
const percent = (value: Spread | null) =>
  value ? `${(value.p50 * 100).toFixed(0)}% / ${(value.p95 * 100).toFixed(0)}%` : '-';

const variantLabels: Record<Variant, string> = {
  product: 'product',
  naive: 'naive (30 s, 1 at a time, roll all)',
  eksctl: 'eksctl-like (30 s, 1 at a time)',
};

/** The tables `npm run bench` prints (Markdown, so they paste into the README as they are). */
export function formatResults(results: BenchResults): string {
  const rows = results.scenarios.flatMap(({ scenario, variants, transitionsShare }) =>
    variants.map((summary, index) => {
      const share = summary.variant === 'product' ? undefined : transitionsShare[summary.variant];
      return [
        index === 0 ? scenario : '',
        `${variantLabels[summary.variant]} x${summary.samples}${summary.succeeded < summary.samples ? ` (${summary.samples - summary.succeeded} not SUCCEEDED)` : ''}`,
        `${summary.latency.p50} / ${summary.latency.p95} / ${summary.latency.max}`,
        spread(summary.overhead, 3),
        `${summary.transitions.p50}${share === undefined ? '' : ` (product ${share.toFixed(2)}x)`}`,
        String(summary.lambdaInvocations.p50),
        String(summary.largestHistoryEvents),
        kb(summary.maxPayloadBytes),
        `${summary.rotations.p50} (${summary.plannedRotations.p50})`,
        String(summary.nodesReplaced.p50),
        spread(summary.nodegroupPhaseRatio, 3),
        percent(summary.estimateError),
        seconds(summary.simulatedSeconds.p50),
      ];
    }),
  );
  const lines = [
    table(
      [
        'scenario',
        'variant x samples',
        'latency p50 / p95 / max (s)',
        'overhead p50 / p95',
        'transitions p50',
        'Lambda p50',
        'largest history',
        'largest payload',
        'rotations (planned)',
        'nodes replaced',
        'node-group phase / bound p50 / p95',
        'estimate error p50 / p95',
        'run p50',
      ],
      rows,
    ),
  ];
  if (results.sensitivity.length > 0) {
    lines.push(
      '',
      table(
        ['AWS timings', 'scenario', 'latency p50 / p95 / max (s)', 'overhead p50 / p95', 'transitions p50'],
        results.sensitivity.map(({ scenario, timingScale, product }) => [
          `x${timingScale} (AWS ${timingScale > 1 ? 'slower' : 'faster'})`,
          `${scenario} x${product.samples}`,
          `${product.latency.p50} / ${product.latency.p95} / ${product.latency.max}`,
          spread(product.overhead, 3),
          String(product.transitions.p50),
        ]),
      ),
    );
  }
  if (results.bundles) {
    const bundles = results.bundles;
    const byFunction = new Map<string, Map<string, (typeof bundles.results)[number]>>();
    for (const result of bundles.results) {
      const options = byFunction.get(result.function) ?? new Map();
      options.set(result.option, result);
      byFunction.set(result.function, options);
    }
    const cell = (result: (typeof bundles.results)[number] | undefined) => {
      if (!result) return '-';
      if (result.sameAs) return `= ${result.sameAs}`;
      return `${kb(result.bytes)}, ${result.loadMs.toFixed(0)} ms`;
    };
    lines.push(
      '',
      table(
        [
          'function',
          'bundle (deployed), load',
          'load w/o source maps',
          'top packages (deployed)',
          '@aws-sdk external',
          'zod/mini input',
          'both',
        ],
        [...byFunction].map(([name, options]) => {
          const deployed = options.get('deployed');
          return [
            name,
            cell(deployed),
            deployed?.loadMsWithoutSourceMaps === undefined
              ? '-'
              : `${deployed.loadMsWithoutSourceMaps.toFixed(0)} ms`,
            (deployed?.byPackage ?? [])
              .slice(0, 3)
              .map((entry) => `${entry.name} ${kb(entry.bytes)}`)
              .join(', '),
            cell(options.get('sdk-external')),
            cell(options.get('zod-mini')),
            cell(options.get('sdk-external+zod-mini')),
          ];
        }),
      ),
      `Module load: median import() of ${bundles.runs} fresh node processes (NODE_OPTIONS "${bundles.nodeOptions}" as template.yaml sets); an empty module loads in ${bundles.emptyModule.loadMs.toFixed(0)} ms (${bundles.emptyModule.sinceStartMs.toFixed(0)} ms after process start).`,
    );
  }
  lines.push(
    '',
    table(
      ['target', 'subject', 'measured', 'rule', 'ratio', 'verdict'],
      results.targets.map((target) => [
        target.target,
        target.subject,
        target.target === 'bundle bytes' ? kb(target.measured) : String(target.measured),
        `${target.rule} ${target.target === 'bundle bytes' ? kb(target.limit) : target.limit}`,
        target.ratio.toFixed(2),
        target.pass ? 'PASS' : 'MISS',
      ]),
    ),
    '',
    `Wall time ${results.wallSeconds.toFixed(1)} s (Node ${results.node}).`,
  );
  return lines.join('\n');
}

// The bench's results object, its targets (PASS/MISS with the ratio to each target) and the table
// `npm run bench` prints. Pure: tests/bench/report.test.ts checks the verdicts.
import type { BundleReport } from './bundles.ts';
import { makespan } from './metrics.ts';
import type { RunMetrics } from './workflow-runs.ts';

export const benchScenarios = ['seed', 'four-nodegroups', 'multi-hop', 'ami-refresh'] as const;
export const parallelScenario = 'four-nodegroups';
export const parallelConcurrency = 4;
/** AWS slower and faster than the scenario's distributions (every percentile scaled): how polling copes. */
export const sensitivityScenario = 'seed';
export const sensitivityScales = [0.8, 0.9, 1.1, 1.2] as const;

/** The product's targets (issue 8). */
export const targets = {
  transitionsShareOfBaseline: 0.25,
  detectionLatencySeconds: 30,
  overhead: 1.02,
  parallelSpeedUp: 3.5,
  bundleBytes: 250 * 1024,
  moduleLoadMs: 100,
} as const;

export interface ParallelResult {
  scenario: string;
  concurrency: number;
  /** Node-group phase, simulated seconds, with maxConcurrentNodegroups 1 and with `concurrency`. */
  serialPhaseSeconds: number;
  parallelPhaseSeconds: number;
  speedUp: number;
  /** The best any scheduler could do with these node groups: sum of durations / longest-first makespan. */
  idealSpeedUp: number;
}

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

export interface BenchResults {
  generatedAt: string;
  node: string;
  wallSeconds: number;
  scenarios: Array<{ scenario: string; product: RunMetrics; naive: RunMetrics }>;
  parallel: ParallelResult | null;
  /** Not targets: the same scenario with every AWS duration distribution scaled, product and naive. */
  sensitivity: Array<{ scenario: string; timingScale: number; product: RunMetrics; naive: RunMetrics }>;
  bundles: BundleReport | null;
  targets: TargetVerdict[];
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The speed-up of a node-group phase run with `concurrency` slots over the same run one at a time. */
export function parallelResult(serial: RunMetrics, parallel: RunMetrics): ParallelResult {
  const durations = serial.updates
    .filter((update) => update.kind === 'nodegroup')
    .map((update) => update.actualSeconds);
  const longestFirst = [...durations].sort((a, b) => b - a);
  const ideal = makespan(longestFirst, parallel.maxConcurrentNodegroups);
  const total = durations.reduce((sum, duration) => sum + duration, 0);
  return {
    scenario: serial.scenario,
    concurrency: parallel.maxConcurrentNodegroups,
    serialPhaseSeconds: serial.nodegroupPhaseSeconds,
    parallelPhaseSeconds: parallel.nodegroupPhaseSeconds,
    speedUp:
      parallel.nodegroupPhaseSeconds > 0
        ? round(serial.nodegroupPhaseSeconds / parallel.nodegroupPhaseSeconds)
        : 0,
    idealSpeedUp: ideal > 0 ? round(total / ideal) : 0,
  };
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
  scenarios: BenchResults['scenarios'],
  parallel: ParallelResult | null,
  bundles: BundleReport | null,
): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  for (const { scenario, product, naive } of scenarios) {
    verdicts.push(
      verdict(
        'state transitions / baseline',
        scenario,
        naive.stateTransitions > 0 ? round(product.stateTransitions / naive.stateTransitions, 3) : 0,
        targets.transitionsShareOfBaseline,
        '<=',
      ),
      verdict(
        'max detection latency (s)',
        scenario,
        product.detectionLatencySeconds.max,
        targets.detectionLatencySeconds,
        '<=',
      ),
      verdict('overhead', scenario, product.overhead, targets.overhead, '<='),
      verdict('node rotations = planned', scenario, product.rotations, product.plannedRotations, '=='),
    );
  }
  if (parallel) {
    verdicts.push(
      verdict(
        `parallel speed-up (${parallel.concurrency} vs 1)`,
        parallel.scenario,
        parallel.speedUp,
        targets.parallelSpeedUp,
        '>=',
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

/** The tables `npm run bench` prints (Markdown, so they paste into the README as they are). */
export function formatResults(results: BenchResults): string {
  const runRows = results.scenarios.flatMap(({ scenario, product, naive }) =>
    [product, naive].map((run) => [
      run.variant === 'product' ? scenario : '',
      `${run.variant}${run.variant === 'product' ? '' : ' (30 s, 1 at a time, roll all)'}`,
      run.status,
      String(run.stateTransitions),
      String(run.lambdaInvocations),
      `${run.detectionLatencySeconds.median} / ${run.detectionLatencySeconds.max}`,
      seconds(run.simulatedSeconds),
      seconds(run.criticalPathSeconds),
      run.overhead.toFixed(3),
      `${run.rotations} (${run.plannedRotations})`,
      String(run.nodesReplaced),
    ]),
  );
  const lines = [
    table(
      [
        'scenario',
        'variant',
        'status',
        'transitions',
        'Lambda calls',
        'latency med / max (s)',
        'simulated',
        'critical path',
        'overhead',
        'rotations (planned)',
        'nodes replaced',
      ],
      runRows,
    ),
  ];
  if (results.parallel) {
    const p = results.parallel;
    lines.push(
      '',
      `Parallel (${p.scenario}): node-group phase ${seconds(p.serialPhaseSeconds)} one at a time, ${seconds(p.parallelPhaseSeconds)} with ${p.concurrency}: speed-up ${p.speedUp.toFixed(2)} (best possible for these node groups: ${p.idealSpeedUp.toFixed(2)})`,
    );
  }
  if (results.sensitivity.length > 0) {
    lines.push(
      '',
      table(
        ['AWS timings', 'scenario', 'transitions (naive)', 'latency med / max (s)', 'overhead (naive)'],
        results.sensitivity.map(({ scenario, timingScale, product, naive }) => [
          `x${timingScale} (AWS ${timingScale > 1 ? 'slower' : 'faster'})`,
          scenario,
          `${product.stateTransitions} (${naive.stateTransitions})`,
          `${product.detectionLatencySeconds.median} / ${product.detectionLatencySeconds.max}`,
          `${product.overhead.toFixed(3)} (${naive.overhead.toFixed(3)})`,
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

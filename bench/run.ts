// `npm run bench`: every bench scenario over seeded draws of the simulator's timing distributions,
// the product side by side with a naive loop and an eksctl-like waiter, the product again with AWS
// faster and slower, and the bundles' sizes and cold-start loads. Prints the tables (or, with --json,
// only the results object) and writes bench/results.json.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { measureBundles } from './bundles.ts';
import {
  type BenchResults,
  evaluateTargets,
  formatResults,
  largeScenarios,
  sampledScenarios,
  scenarioResult,
  sensitivityScales,
  sensitivityScenario,
  summarize,
} from './report.ts';
import { BenchWorker, fleetScenario, type RunMetrics, type RunSetup } from './workflow-runs.ts';

/** Runs the jobs on `size` workers, each taking the next job when it is free; results in job order. */
async function onWorkers(jobs: readonly Job[], size: number, done: (job: Job, runs: RunMetrics[]) => void) {
  const results = new Array<RunMetrics[]>(jobs.length);
  let next = 0;
  const work = async () => {
    const worker = new BenchWorker();
    try {
      while (next < jobs.length) {
        const index = next;
        next += 1;
        const job = jobs[index];
        if (!job) continue;
        results[index] = await worker.run(job.setup, job.seeds);
        done(job, results[index]);
      }
    } finally {
      worker.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, jobs.length) }, work));
  return results;
}

/** Seeds 1..n: the same draws on every machine and every run. */
const seedsUpTo = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

/** A job: one setup over its seeds, in a process of its own. */
interface Job {
  setup: RunSetup;
  seeds: number[];
}

/**
 * The jobs of one bench run. The baselines poll on a fixed 30 s, so their latency needs few draws;
 * they run on the first seeds of the product's, and ratios pair the runs seed by seed. The large
 * scenarios take seconds of CPU per draw (the naive loop on the 40-group cluster, rolling every
 * group at every hop, about two minutes), so they run a few draws, and the naive loop only on the
 * fleet.
 */
export function benchJobs(samples: number, baselineSamples: number, largeSamples: number): Job[] {
  const product = seedsUpTo(samples);
  const baseline = seedsUpTo(Math.min(samples, baselineSamples));
  const large = seedsUpTo(Math.min(samples, largeSamples));
  return [
    ...sampledScenarios.flatMap((scenario) => [
      { setup: { scenario, variant: 'product' as const }, seeds: product },
      { setup: { scenario, variant: 'naive' as const }, seeds: baseline },
      { setup: { scenario, variant: 'eksctl' as const }, seeds: baseline },
    ]),
    ...largeScenarios.flatMap((scenario) => [
      { setup: { scenario, variant: 'product' as const }, seeds: large },
      { setup: { scenario, variant: 'eksctl' as const }, seeds: large.slice(0, 1) },
      ...(scenario === fleetScenario
        ? [{ setup: { scenario, variant: 'naive' as const }, seeds: large.slice(0, 1) }]
        : []),
    ]),
    ...sensitivityScales.map((timingScale) => ({
      setup: { scenario: sensitivityScenario, variant: 'product' as const, timingScale },
      seeds: baseline,
    })),
  ];
}

const usage = `Usage: npm run bench -- [--json] [--samples <n>] [--baseline-samples <n>] [--large-samples <n>] [--runs <n>] [--no-bundles]

  --json                  print only the results object on stdout
  --samples <n>           seeded draws of AWS's durations per scenario for the product (default 30)
  --baseline-samples <n>  of those, how many the naive and eksctl-like baselines run (default 5)
  --large-samples <n>     draws of the 40-node-group cluster and the 20-cluster fleet (default 1)
  --runs <n>              fresh node processes per bundle for the module-load median (default 3)
  --no-bundles            skip bundling and module loads (workflow numbers only)`;

const count = (text: string, fallback: number) => Math.max(1, Number.parseInt(text, 10) || fallback);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      samples: { type: 'string', default: '30' },
      'baseline-samples': { type: 'string', default: '5' },
      'large-samples': { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      'no-bundles': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const say = (text: string) => (values.json ? process.stderr : process.stdout).write(`${text}\n`);
  const wallStart = performance.now();
  const samples = count(values.samples, 30);
  const baselineSamples = count(values['baseline-samples'], 5);

  // Each job in a process of its own, two at a time, longest first (the large scenarios): their
  // numbers are simulated time, so running side by side changes only the wall time.
  const jobs = benchJobs(samples, baselineSamples, count(values['large-samples'], 1));
  const ordered = [...jobs].sort(
    (a, b) =>
      Number(largeScenarios.some((name) => name === b.setup.scenario)) -
      Number(largeScenarios.some((name) => name === a.setup.scenario)),
  );
  const done = await onWorkers(ordered, 2, ({ setup }, runs) => {
    const wall = runs.reduce((sum, run) => sum + run.wallSeconds, 0);
    say(
      `${setup.scenario} ${setup.variant}${setup.timingScale ? ` (AWS x${setup.timingScale})` : ''}: ${runs.length} draws, ${runs.filter((run) => run.status === 'SUCCEEDED').length} SUCCEEDED, ${wall.toFixed(1)} s`,
    );
  });
  const runs: RunMetrics[] = done.flat();
  const atScale = (run: RunMetrics) => run.timingScale === 1;
  const scenarios = [...sampledScenarios, ...largeScenarios].map((scenario) =>
    scenarioResult(scenario, runs.filter(atScale)),
  );
  const sensitivity: BenchResults['sensitivity'] = sensitivityScales.map((timingScale) => ({
    scenario: sensitivityScenario,
    timingScale,
    product: summarize(runs.filter((run) => run.timingScale === timingScale)),
  }));

  const loads = count(values.runs, 3);
  if (!values['no-bundles']) say(`Bundling and loading every function (${loads} fresh processes each)...`);
  const bundles = values['no-bundles'] ? null : await measureBundles(loads);

  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    wallSeconds: 0,
    samples,
    baselineSamples,
    scenarios,
    sensitivity,
    bundles,
    targets: evaluateTargets(scenarios, bundles),
    runs: runs.map(({ updates: _updates, ...run }) => run),
  };
  results.wallSeconds = Math.round((performance.now() - wallStart) / 100) / 10;
  writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`\n${formatResults(results)}`);
    console.log('\nWritten: bench/results.json');
  }
  const failed = runs.filter((run) => run.status !== 'SUCCEEDED');
  for (const run of failed)
    say(`${run.scenario} (${run.variant}, seed ${run.seed}) ended ${run.status}: ${run.error ?? ''}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 2;
  },
);

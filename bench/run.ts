// `npm run bench`: the product's settings side by side with a naive baseline on every bench
// scenario, one node-group phase run serially for the parallel speed-up, and the bundles' sizes and
// cold-start loads. Prints the tables (or, with --json, only the results object) and writes
// bench/results.json.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { measureBundles } from './bundles.ts';
import {
  type BenchResults,
  benchScenarios,
  evaluateTargets,
  formatResults,
  parallelConcurrency,
  parallelResult,
  parallelScenario,
  sensitivityScales,
  sensitivityScenario,
} from './report.ts';
import { type RunSetup, runVariantInProcess, type Variant } from './workflow-runs.ts';

/** Maps items through `work`, at most `size` at a time, keeping their order. */
async function inPool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index];
      if (item !== undefined) results[index] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

const usage = `Usage: npm run bench -- [--json] [--runs <n>] [--no-bundles]

  --json         print only the results object on stdout
  --runs <n>     fresh node processes per bundle for the module-load median (default 7)
  --no-bundles   skip bundling and module loads (workflow numbers only)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      runs: { type: 'string', default: '7' },
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

  // Nine executions, each in a process of its own, two at a time: their numbers are simulated time,
  // so running side by side changes only the wall time.
  const setups: RunSetup[] = [
    ...benchScenarios.flatMap((scenario) => [
      { scenario, variant: 'product' as const },
      { scenario, variant: 'naive' as const },
    ]),
    { scenario: parallelScenario, variant: 'product', maxConcurrentNodegroups: 1 },
    ...sensitivityScales.flatMap((timingScale) => [
      { scenario: sensitivityScenario, variant: 'product' as const, timingScale },
      { scenario: sensitivityScenario, variant: 'naive' as const, timingScale },
    ]),
  ];
  const metrics = await inPool(setups, 2, async (setup) => {
    const result = await runVariantInProcess(setup);
    const notes = [
      ...(setup.maxConcurrentNodegroups ? [`${setup.maxConcurrentNodegroups} at a time`] : []),
      ...(setup.timingScale ? [`AWS x${setup.timingScale}`] : []),
    ];
    say(
      `${setup.scenario} ${setup.variant}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}: ${result.status}, ${result.stateTransitions} transitions, ${result.wallSeconds} s`,
    );
    return result;
  });
  const find = (scenario: string, variant: Variant, concurrency?: number, timingScale = 1) => {
    const found = metrics.find(
      (run) =>
        run.scenario === scenario &&
        run.variant === variant &&
        run.timingScale === timingScale &&
        (concurrency === undefined || run.maxConcurrentNodegroups === concurrency),
    );
    if (!found) throw new Error(`no ${variant} run of ${scenario}`);
    return found;
  };
  const scenarios: BenchResults['scenarios'] = benchScenarios.map((scenario) => ({
    scenario,
    product: find(scenario, 'product', scenario === parallelScenario ? parallelConcurrency : undefined),
    naive: find(scenario, 'naive'),
  }));
  const serial = find(parallelScenario, 'product', 1);
  const parallel = parallelResult(serial, find(parallelScenario, 'product', parallelConcurrency));
  const sensitivity: BenchResults['sensitivity'] = sensitivityScales.map((timingScale) => ({
    scenario: sensitivityScenario,
    timingScale,
    product: find(sensitivityScenario, 'product', undefined, timingScale),
    naive: find(sensitivityScenario, 'naive', undefined, timingScale),
  }));

  const runs = Math.max(1, Number.parseInt(values.runs, 10) || 7);
  if (!values['no-bundles']) say(`Bundling and loading every function (${runs} fresh processes each)...`);
  const bundles = values['no-bundles'] ? null : await measureBundles(runs);

  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    wallSeconds: 0,
    scenarios,
    parallel,
    sensitivity,
    bundles,
    targets: evaluateTargets(scenarios, parallel, bundles),
  };
  results.wallSeconds = Math.round((performance.now() - wallStart) / 100) / 10;
  writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`\n${formatResults(results)}`);
    console.log('\nWritten: bench/results.json');
  }
  const failed = metrics.filter((run) => run.status !== 'SUCCEEDED');
  for (const run of failed) say(`${run.scenario} (${run.variant}) ended ${run.status}: ${run.error ?? ''}`);
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

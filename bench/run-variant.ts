// One bench job in a process of its own: `node --import tsx bench/run-variant.ts '<RunSetup JSON>' <seed>...`
// runs the setup once per seed, one after another, and prints their RunMetrics as a JSON array.
// bench/run.ts starts one per scenario and variant, so no module instance, SDK client or timer of one
// job outlives it; within a job each run has a simulator of its own.
import { isRunSetup, type RunMetrics, runVariant } from './workflow-runs.ts';

const setup: unknown = JSON.parse(process.argv[2] ?? 'null');
const seeds = process.argv.slice(3).map(Number);
if (!isRunSetup(setup) || seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
  console.error(
    `Usage: run-variant.ts '{"scenario":"seed","variant":"product"}' 1 2 3 (got ${process.argv.slice(2).join(' ')})`,
  );
  process.exitCode = 2;
} else {
  (async () => {
    const runs: RunMetrics[] = [];
    for (const seed of seeds.length > 0 ? seeds : [undefined]) {
      runs.push(await runVariant(seed === undefined ? setup : { ...setup, seed }));
    }
    process.stdout.write(`${JSON.stringify(runs)}\n`);
  })().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}

// One bench execution in a process of its own: `node --import tsx bench/run-variant.ts '<RunSetup JSON>'`
// prints its RunMetrics as JSON. bench/run.ts starts one per run, so that every run starts cold and no
// module instance, SDK client or timer outlives the simulator it was made for.
import { isRunSetup, runVariant } from './workflow-runs.ts';

const setup: unknown = JSON.parse(process.argv[2] ?? 'null');
if (!isRunSetup(setup)) {
  console.error(`Usage: run-variant.ts '{"scenario":"seed","variant":"product"}' (got ${process.argv[2]})`);
  process.exitCode = 2;
} else {
  runVariant(setup).then(
    (metrics) => {
      process.stdout.write(`${JSON.stringify(metrics)}\n`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    },
  );
}

// A bench worker: `node --import tsx bench/run-variant.ts` forked with an IPC channel takes jobs
// ({ setup, seeds }) one at a time and answers each with the RunMetrics of its seeds, run one after
// another, each on a simulator of its own. bench/run.ts keeps two, so the cost of starting node and
// compiling the TypeScript is paid twice per bench, not once per job. Without IPC,
// `run-variant.ts '<RunSetup JSON>' <seed>...` prints one job's metrics as a JSON array.
import { isRunSetup, type RunMetrics, runVariant } from './workflow-runs.ts';

export interface Job {
  setup: unknown;
  seeds: number[];
}

async function runJob({ setup, seeds }: Job): Promise<RunMetrics[]> {
  if (!isRunSetup(setup) || seeds.some((seed) => !Number.isInteger(seed) || seed < 0))
    throw new Error(`not a bench job: ${JSON.stringify({ setup, seeds })}`);
  const runs: RunMetrics[] = [];
  for (const seed of seeds.length > 0 ? seeds : [undefined]) {
    runs.push(await runVariant(seed === undefined ? setup : { ...setup, seed }));
  }
  return runs;
}

const describe = (error: unknown) =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);

if (process.send) {
  process.on('message', (job: Job) => {
    runJob(job).then(
      (runs) => process.send?.({ runs }),
      (error: unknown) => process.send?.({ error: describe(error) }),
    );
  });
} else {
  const job = {
    setup: JSON.parse(process.argv[2] ?? 'null') as unknown,
    seeds: process.argv.slice(3).map(Number),
  };
  runJob(job).then(
    (runs) => process.stdout.write(`${JSON.stringify(runs)}\n`),
    (error: unknown) => {
      console.error(
        `${describe(error)}\nUsage: run-variant.ts '{"scenario":"seed","variant":"product"}' 1 2 3`,
      );
      process.exitCode = 1;
    },
  );
}

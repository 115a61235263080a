// `npm start`: the real state machine upgrades a simulated cluster on this machine, on compressed time.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatPlan, progressLine } from '../format/run-text.ts';
import type { UpgradePlan } from '../functions/shared/types.ts';
import { type RunReportData, writeRunReport } from '../report/index.ts';
import { checkInvariants, errorsByFault } from './harness/invariants.ts';
import { type ExecutionResult, LocalAws } from './harness/local-aws.ts';
import { defaultReportPath, formatSummary, type RunSummary, summarizeRun } from './run-summary.ts';
import { applyFault, type FaultName, faultNames, loadScenario } from './simulator/index.ts';
import { withQuietAlarms, withSeed } from './simulator/scenario.ts';
import { runTrigger, type TriggerStep } from './triggers.ts';

const usage = `Usage: npm start -- [options]

Runs statemachine/upgrade-cluster.asl.json against the local AWS simulator, with every
task bound to the real Lambda handler. Simulated minutes pass in milliseconds.

  --scenario <name|file>  simulator scenario (default: seed; see local/simulator/scenarios)
  --cluster <name>        cluster to upgrade (default: the scenario's first)
  --target <version>      target version: 1.30, next, latest, or none for an AMI refresh
                          (default: the scenario's, else next)
  --fault <name>          inject a fault: ${faultNames.join(', ')}
  --seed <n>              draw AWS's update durations from seed n (default: the scenario's, 1)
  --quiet-alarms          keep every scenario alarm OK (e.g. bake-rollback's bake then passes)
  --force                 ignore pod disruption budgets when draining nodes
  --dry-run               plan only; change nothing
  --json                  print only the summary object, as JSON
  --report <path>         where to write the HTML run report (default: reports/<scenario>-<cluster>.html)
  --help                  this text`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'seed' },
      cluster: { type: 'string' },
      target: { type: 'string' },
      fault: { type: 'string' },
      seed: { type: 'string' },
      'quiet-alarms': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let scenario = loadScenario(values.scenario);
  if (values.seed !== undefined) scenario = withSeed(scenario, values.seed);
  if (values['quiet-alarms']) scenario = withQuietAlarms(scenario);
  if (values.fault) {
    if (!faultNames.includes(values.fault as FaultName)) {
      console.error(`Unknown fault "${values.fault}". Choose one of: ${faultNames.join(', ')}.`);
      return 2;
    }
    scenario = applyFault(scenario, values.fault as FaultName);
  }
  // The scenario's own input first (its cluster and target), then whatever the flags say.
  const defaults: Record<string, unknown> = scenario.defaultInput ?? { targetVersion: 'next' };
  const { targetVersion: defaultTarget, ...defaultRest } = defaults;
  const target = values.target ?? defaultTarget;
  let clusterName =
    values.cluster ??
    String(
      defaults.clusterName || scenario.trigger?.fleet.split(/[=,]/)[0] || scenario.clusters[0]?.name || '',
    );
  const dryRun = values['dry-run'];
  const input = {
    ...defaultRest,
    clusterName,
    ...(target === undefined || target === 'none' ? {} : { targetVersion: target }),
    ...(values.force ? { force: true } : {}),
    ...(dryRun ? { dryRun: true } : {}),
  };
  const maxConcurrentNodegroups = Number(defaultRest.maxConcurrentNodegroups ?? 1);
  const say = values.json ? () => undefined : (text: string) => console.log(text);

  const wallStart = performance.now();
  const aws = await LocalAws.start(
    scenario,
    scenario.trigger ? { fleetClusters: scenario.trigger.fleet } : {},
  );
  let summary: RunSummary;
  let reportData: RunReportData;
  try {
    say(
      `EKS upgrade workflow, local run: scenario "${scenario.name}"${values.fault ? ` with fault "${values.fault}"` : ''}`,
    );
    say(
      scenario.trigger ? `Trigger: ${JSON.stringify(scenario.trigger)}` : `Input: ${JSON.stringify(input)}`,
    );
    say(
      `Simulator: ${aws.simulator.endpoint} (try: aws eks describe-cluster --name ${clusterName} --endpoint-url ...)\n`,
    );
    const before = aws.simulator.snapshot();
    const runStartedAt = aws.now();
    let execution: ExecutionResult;
    let triggerSteps: TriggerStep[] | undefined;
    if (scenario.trigger) {
      // Runs started by schedules and topics: each line says which execution it belongs to.
      aws.onTask = (executionName, task) => {
        const line = progressLine(task, runStartedAt);
        if (line) say(`${line}  [${executionName}]`);
      };
      const run = await runTrigger(aws, scenario.trigger, say, { dryRun });
      // The summary is of the last cluster upgraded (its executions are named after it).
      const lastUpgrade = run.executions.filter(isClusterUpgrade).at(-1)?.executionName ?? '';
      clusterName =
        scenario.clusters.find((cluster) => lastUpgrade.startsWith(`${cluster.name}-`))?.name ?? clusterName;
      execution = combineClusterRuns(run.executions, runStartedAt, aws.childWorkflowHistories, clusterName);
      triggerSteps = run.steps;
    } else {
      execution = await aws.execute(input, {
        executionName: `local-${scenario.name}-${clusterName}`.slice(0, 80),
        onTask: (task) => {
          const line = progressLine(task, runStartedAt);
          if (line) say(line);
        },
      });
    }
    const after = aws.simulator.snapshot();
    summary = summarizeRun({
      clusterName,
      before,
      after,
      requestLog: aws.simulator.requestLog,
      execution,
      dryRun,
      wallSeconds: (performance.now() - wallStart) / 1000,
    });
    // A trigger may upgrade every cluster of the scenario: each keeps the invariants.
    const checked = scenario.trigger ? scenario.clusters.map((cluster) => cluster.name) : [clusterName];
    summary.invariantViolations = checked.flatMap((name) =>
      checkInvariants({
        clusterName: name,
        before,
        after,
        requestLog: aws.simulator.requestLog,
        dryRun,
        maxConcurrentNodegroups,
        expectedErrors: [
          ...(values.fault ? (errorsByFault[values.fault] ?? []) : []),
          // A duplicate AMI-release delivery is refused by name, on purpose.
          ...(scenario.trigger ? ['ExecutionAlreadyExists'] : []),
        ],
      }),
    );
    if (triggerSteps)
      summary.trigger = triggerSteps.map((step) => ({
        second: Math.round((step.at - runStartedAt) / 1000),
        what: step.what,
      }));
    reportData = { summary, tasks: execution.tasks, runStartedAt };
  } finally {
    await aws.close();
  }
  const reportPath = await writeRunReport(
    reportData,
    values.report ?? defaultReportPath(scenario.name, clusterName, values.fault),
  );
  summary.report = relative(process.cwd(), reportPath);
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else {
    if (dryRun && isPlan(summary.plan)) say(`\n${formatPlan(summary.plan)}`);
    say(formatSummary(summary));
    say(`\n  Report: ${summary.report} (open it in a browser: timeline, plan and outcome)`);
  }
  const ok = summary.status === 'SUCCEEDED' || summary.status === 'DEFERRED';
  return ok && summary.invariantViolations.length === 0 ? 0 : 1;
}

function isClusterUpgrade(execution: ExecutionResult): boolean {
  return execution.tasks.some((task) => task.state === 'Plan Upgrade');
}

/**
 * The upgrades of one cluster a trigger caused, as one run: their tasks in order, the last one's
 * outcome; the counts are of every execution the trigger ran (the fleet's, every cluster's).
 */
function combineClusterRuns(
  executions: ExecutionResult[],
  runStartedAt: number,
  childWorkflows: ReadonlyArray<{ events: unknown[]; maxPayloadBytes: number }>,
  clusterName: string,
): ExecutionResult {
  const upgrades = executions
    .filter(isClusterUpgrade)
    .filter((execution) => execution.executionName.startsWith(`${clusterName}-`));
  const last = upgrades.at(-1);
  if (!last) throw new Error('The trigger started no cluster upgrade.');
  return {
    ...last,
    executionName: upgrades.map((execution) => execution.executionName).join(', '),
    startedAt: runStartedAt,
    endedAt: Math.max(...executions.map((execution) => execution.endedAt)),
    stateTransitions: executions.reduce((sum, execution) => sum + execution.stateTransitions, 0),
    lambdaInvocations: executions.reduce((sum, execution) => sum + execution.lambdaInvocations, 0),
    // The quotas hold per execution: the fleet's, each cluster's and each Distributed Map child's.
    historyEvents: Math.max(
      ...executions.map((execution) => execution.largestHistoryEvents),
      ...childWorkflows.map((child) => child.events.length),
    ),
    maxPayloadBytes: Math.max(
      ...executions.map((execution) => execution.maxPayloadBytes),
      ...childWorkflows.map((child) => child.maxPayloadBytes),
    ),
    tasks: upgrades.flatMap((execution) => execution.tasks),
  };
}

function isPlan(value: unknown): value is UpgradePlan {
  return typeof value === 'object' && value !== null && 'stages' in value && 'estimatedSeconds' in value;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);

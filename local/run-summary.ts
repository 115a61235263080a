import {
  formatDuration,
  isStepOutput,
  readableCause,
  type StepOutput,
  stepName,
} from '../format/run-text.ts';
import { type MetricPoint, metricsOfOutput } from '../functions/shared/step-metrics.ts';
import type { RunSummary } from '../report/run-summary.ts';
import type { ExecutionResult } from './harness/local-aws.ts';
import type { LoggedRequest, SimulatorSnapshot } from './simulator/index.ts';

export type { RunSummary };

/** Builds the summary from what the run did (its tasks), what AWS saw (request log) and the end state. */
export function summarizeRun(args: {
  clusterName: string;
  before: SimulatorSnapshot;
  after: SimulatorSnapshot;
  requestLog: readonly LoggedRequest[];
  execution: ExecutionResult;
  dryRun: boolean;
  wallSeconds: number;
}): RunSummary {
  const { clusterName, before, after, execution } = args;
  const clusterBefore = before.clusters.find((cluster) => cluster.name === clusterName);
  const clusterAfter = after.clusters.find((cluster) => cluster.name === clusterName);
  const updates = new Map((clusterAfter?.updates ?? []).map((update) => [update.id, update]));
  const second = (ms: number) => Math.round((ms - execution.startedAt) / 1000);
  const plan = execution.tasks.find((task) => task.state === 'Plan Upgrade')?.output;

  // The last word on each step: the final output of its update or check task.
  const lastByStep = new Map<string, StepOutput>();
  for (const task of execution.tasks) {
    if (!isStepOutput(task.output)) continue;
    lastByStep.set(`${stepName(task.output)}/${task.output.target}`, task.output);
  }
  const steps = [...lastByStep.values()].map((step) => {
    const update = step.updateId ? updates.get(step.updateId) : undefined;
    const start = update ? update.createdAt : execution.startedAt;
    const end = update ? (update.endedAt ?? after.now) : start;
    return {
      name: stepName(step),
      kind: step.kind,
      target: step.target,
      updateId: step.updateId,
      status: step.status,
      adopted: step.adopted,
      simulatedSeconds: Math.round((end - start) / 1000),
      startSecond: second(start),
      endSecond: second(end),
    };
  });

  // A group the run created (an AL2 replacement) shows "new"; one it deleted, "deleted".
  const deleted = (clusterBefore?.nodegroups ?? [])
    .filter((nodegroup) => !clusterAfter?.nodegroups.some((candidate) => candidate.name === nodegroup.name))
    .map((nodegroup) => ({
      name: nodegroup.name,
      from: nodegroup.version,
      to: 'deleted',
      releaseFrom: nodegroup.releaseVersion,
      releaseTo: 'deleted',
      rotations: 0,
      instancesReplaced: 0,
    }));
  const nodegroups = (clusterAfter?.nodegroups ?? []).map((nodegroup) => {
    const earlier = clusterBefore?.nodegroups.find((candidate) => candidate.name === nodegroup.name);
    return {
      name: nodegroup.name,
      from: earlier?.version ?? 'new',
      to: nodegroup.version,
      releaseFrom: earlier?.releaseVersion ?? 'created',
      releaseTo: nodegroup.releaseVersion,
      rotations: steps.filter(
        (step) =>
          step.kind === 'nodegroup' &&
          step.name === stepName({ kind: 'nodegroup', nodegroupName: nodegroup.name }) &&
          step.updateId &&
          step.status === 'Successful',
      ).length,
      instancesReplaced: nodegroup.instancesReplaced - (earlier?.instancesReplaced ?? 0),
    };
  });

  return {
    cluster: clusterName,
    from: clusterBefore?.version ?? 'unknown',
    to: clusterAfter?.version ?? 'deleted',
    ...outcomeOf(execution),
    dryRun: args.dryRun,
    steps,
    nodegroups: [...nodegroups, ...deleted],
    metrics: addUp(execution.tasks.flatMap((task) => metricsOfOutput(task.output))),
    stateTransitions: execution.stateTransitions,
    lambdaInvocations: execution.lambdaInvocations,
    historyEvents: execution.largestHistoryEvents,
    maxPayloadBytes: execution.maxPayloadBytes,
    simulatedSeconds: second(execution.endedAt),
    wallSeconds: Math.round(args.wallSeconds * 100) / 100,
    mutatingCalls: args.requestLog.filter(
      (request) => request.mutating && (request.service === 'eks' || request.service === 'autoscaling'),
    ).length,
    invariantViolations: [],
    ...(plan ? { plan } : {}),
  };
}

/** The execution's status, with a deadline stop told apart from a finished upgrade. */
function outcomeOf(execution: ExecutionResult): Pick<RunSummary, 'status' | 'error' | 'cause'> {
  const output = execution.output;
  if (
    execution.status === 'SUCCEEDED' &&
    typeof output === 'object' &&
    output !== null &&
    'deferral' in output
  ) {
    const deferral = output.deferral as { Error?: string; Cause?: string };
    return {
      status: 'DEFERRED',
      error: deferral.Error ?? 'UpgradeDeferredError',
      cause: deferral.Cause ?? '',
    };
  }
  // A failed gate's rollback: the run ended as designed, on the version it started from.
  if (execution.status === 'FAILED' && execution.error === 'UpgradeRolledBackError') {
    return { status: 'ROLLED_BACK', error: execution.error, cause: execution.cause ?? '' };
  }
  return {
    status: execution.status,
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.cause ? { cause: execution.cause } : {}),
  };
}

/** The human summary: outcome, steps, node groups, counts, and a timeline of the updates. */
export function formatSummary(summary: RunSummary): string {
  const lines = [
    '',
    `${summary.status}: cluster ${summary.cluster} ${summary.from} -> ${summary.to}${summary.dryRun ? ' (dry run: nothing changed)' : ''}`,
  ];
  if (summary.error)
    lines.push(`  Error: ${summary.error}`, `  Cause: ${readableCause(summary.cause ?? '')}`);
  if (summary.steps.length > 0) {
    lines.push('', `  ${'Step'.padEnd(46)} ${'Update ID'.padEnd(38)} ${'Status'.padEnd(12)} Simulated`);
    for (const step of summary.steps) {
      lines.push(
        `  ${`${step.name} -> ${step.target}`.padEnd(46)} ${(step.updateId ?? '-').padEnd(38)} ${`${step.status}${step.adopted ? '*' : ''}`.padEnd(12)} ${formatDuration(step.simulatedSeconds)}`,
      );
    }
    if (summary.steps.some((step) => step.adopted))
      lines.push('  * adopted: started by someone else, followed to the end');
  }
  for (const nodegroup of summary.nodegroups) {
    lines.push(
      `  Node group ${nodegroup.name}: ${nodegroup.from} (${nodegroup.releaseFrom}) -> ${nodegroup.to} (${nodegroup.releaseTo}), ${nodegroup.rotations} rolling update${nodegroup.rotations === 1 ? '' : 's'}, ${nodegroup.instancesReplaced} instances replaced`,
    );
  }
  const emitted = summary.metrics ?? [];
  if (emitted.length > 0) {
    lines.push('', '  Metrics the steps emitted (CloudWatch namespace EksUpgrade, EMF):');
    for (const metric of emitted) {
      const dimensions = Object.values(metric.dimensions).join(' ');
      const value =
        metric.name === 'UpdateSeconds'
          ? `${metric.count} update${metric.count === 1 ? '' : 's'}, ${formatDuration(metric.sum)} in all`
          : metric.name === 'ChecksPerUpdate'
            ? `${metric.sum} checks over ${metric.count} update${metric.count === 1 ? '' : 's'}`
            : String(metric.sum);
      lines.push(`    ${`${metric.name} ${dimensions}`.padEnd(44)} ${value}`);
    }
  }
  lines.push(
    '',
    `  State transitions ${summary.stateTransitions}, Lambda invocations ${summary.lambdaInvocations}, mutating AWS calls ${summary.mutatingCalls}`,
    `  Largest execution history ${summary.historyEvents} of 25,000 events, largest payload ${summary.maxPayloadBytes} of 262,144 bytes`,
    `  Simulated time ${formatDuration(summary.simulatedSeconds)}${estimateText(summary.plan)}, wall time ${summary.wallSeconds.toFixed(2)} s`,
  );
  lines.push(
    summary.invariantViolations.length === 0
      ? '  Invariants: all kept (one minor per hop, skew rule, no node group ahead of the control plane, no duplicate update)'
      : `  INVARIANTS BROKEN:\n${summary.invariantViolations.map((violation) => `    - ${violation}`).join('\n')}`,
  );
  const timeline = formatTimeline(summary);
  if (timeline) lines.push('', timeline);
  return lines.join('\n');
}

/** A Gantt chart in text: one row per resource, one bar per update over the run's simulated time. */
export function formatTimeline(summary: RunSummary, width = 60): string | undefined {
  const bars = summary.steps.filter((step) => step.updateId);
  if (bars.length === 0 || summary.simulatedSeconds <= 0) return undefined;
  const scale = width / summary.simulatedSeconds;
  const rows = new Map<string, string[]>();
  for (const step of bars) {
    const row = rows.get(step.name) ?? new Array<string>(width).fill(' ');
    const start = Math.min(width - 1, Math.floor(step.startSecond * scale));
    const end = Math.max(start + 1, Math.min(width, Math.round(step.endSecond * scale)));
    row.fill(step.status === 'Successful' ? '=' : 'x', start, end);
    rows.set(step.name, row);
  }
  const label = (text: string) => text.slice(0, 28).padEnd(28);
  const lines = [...rows].map(([name, row]) => `  ${label(name)}|${row.join('')}|`);
  const axis = `  ${' '.repeat(28)}0${' '.repeat(width - 1)}${formatDuration(summary.simulatedSeconds)}`;
  return ['  Timeline (simulated; = succeeded, x failed)', ...lines, axis].join('\n');
}

/**
 * Where `npm start` writes the report when `--report` is not given: always a file directly inside
 * `reports/`, whatever a scenario file names itself or its cluster ("../x" cannot climb out).
 */
export function defaultReportPath(scenarioName: string, clusterName: string, fault?: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '');
  return `reports/${safe([scenarioName, clusterName, ...(fault ? [fault] : [])].join('-'))}.html`;
}

/** The plan's estimate beside the actual run: both come from polling's model of AWS (its typical durations). */
function estimateText(plan: unknown): string {
  if (typeof plan !== 'object' || plan === null || !('estimatedSeconds' in plan)) return '';
  const { estimatedSeconds } = plan;
  return typeof estimatedSeconds === 'number' && estimatedSeconds > 0
    ? ` (the plan estimated ${formatDuration(estimatedSeconds)})`
    : '';
}

/** The same metric with the same dimensions added up: how many points, and their sum. */
function addUp(points: readonly MetricPoint[]): NonNullable<RunSummary['metrics']> {
  const byKey = new Map<string, NonNullable<RunSummary['metrics']>[number]>();
  for (const point of points) {
    const key = `${point.name} ${JSON.stringify(point.dimensions)}`;
    const entry = byKey.get(key) ?? { name: point.name, dimensions: point.dimensions, count: 0, sum: 0 };
    entry.count += 1;
    entry.sum += point.value;
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

import type { UpgradePlan } from '../functions/shared/types.ts';
import type { TaskRecord } from './harness/bind-tasks.ts';
import type { ExecutionResult } from './harness/local-aws.ts';
import type { LoggedRequest, SimulatorSnapshot } from './simulator/index.ts';

/** The shape `npm start -- --json` prints: one object a script or a test can read. */
export interface RunSummary {
  cluster: string;
  from: string;
  to: string;
  /** DEFERRED: the execution succeeded by stopping at its deadline; the next window continues. */
  status: 'SUCCEEDED' | 'DEFERRED' | 'FAILED' | 'ABORTED';
  error?: string;
  cause?: string;
  dryRun: boolean;
  steps: Array<{
    name: string;
    kind: 'controlPlane' | 'nodegroup' | 'addon';
    target: string;
    updateId: string | null;
    status: string;
    adopted: boolean;
    /** How long AWS's update ran, in simulated seconds (0 when skipped). */
    simulatedSeconds: number;
    /** Simulated seconds from the run's start to the update's start and end: the timeline. */
    startSecond: number;
    endSecond: number;
  }>;
  nodegroups: Array<{
    name: string;
    from: string;
    to: string;
    releaseFrom: string;
    releaseTo: string;
    /** How many rolling updates the run put the node group through. */
    rotations: number;
    instancesReplaced: number;
  }>;
  /** The Plan Upgrade task's output: stages, insights, notes (absent when planning failed). */
  plan?: unknown;
  stateTransitions: number;
  lambdaInvocations: number;
  simulatedSeconds: number;
  wallSeconds: number;
  mutatingCalls: number;
  /** Rules the run broke (local/harness/invariants.ts); empty when it kept them all. */
  invariantViolations: string[];
  /** For a triggered scenario: what the schedules and topics did, seconds from the start. */
  trigger?: Array<{ second: number; what: string }>;
  /** Where npm start wrote the HTML run report, relative to the working directory. */
  report?: string;
}

/** The step result shape the update and check tasks return (see functions/shared/types.ts). */
interface StepOutput {
  kind: 'controlPlane' | 'nodegroup' | 'addon';
  nodegroupName?: string;
  addonName?: string;
  target: string;
  updateId: string | null;
  status: string;
  adopted: boolean;
}

function isStepOutput(value: unknown): value is StepOutput {
  return (
    typeof value === 'object' && value !== null && 'kind' in value && 'updateId' in value && 'status' in value
  );
}

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

  const nodegroups = (clusterAfter?.nodegroups ?? []).map((nodegroup) => {
    const earlier = clusterBefore?.nodegroups.find((candidate) => candidate.name === nodegroup.name);
    return {
      name: nodegroup.name,
      from: earlier?.version ?? nodegroup.version,
      to: nodegroup.version,
      releaseFrom: earlier?.releaseVersion ?? nodegroup.releaseVersion,
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
    nodegroups,
    stateTransitions: execution.stateTransitions,
    lambdaInvocations: execution.lambdaInvocations,
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
  return {
    status: execution.status,
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.cause ? { cause: execution.cause } : {}),
  };
}

function stepName(step: Pick<StepOutput, 'kind' | 'nodegroupName' | 'addonName'>): string {
  if (step.kind === 'addon') return `add-on ${step.addonName ?? ''}`;
  return step.kind === 'nodegroup' ? `node group ${step.nodegroupName ?? ''}` : 'control plane';
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

/** One line of live progress for a task that just ended, or undefined when it says nothing new. */
export function progressLine(task: TaskRecord, runStartedAt: number): string | undefined {
  const clock = `+${formatDuration(Math.round((task.endedAt - runStartedAt) / 1000)).padStart(8)}`;
  if (task.error) return `${clock}  ${task.state} failed: ${task.error.name}`;
  const output = task.output;
  if (task.state === 'Plan Upgrade' && typeof output === 'object' && output !== null && 'summary' in output) {
    return `${clock}  Plan:\n${String(output.summary)
      .split('\n')
      .map((line) => `             ${line}`)
      .join('\n')}`;
  }
  if (task.state.startsWith('Notify')) {
    const subject =
      typeof task.input === 'object' && task.input !== null && 'Subject' in task.input
        ? task.input.Subject
        : '';
    return `${clock}  Notified: ${String(subject)}`;
  }
  if (task.state === 'Verify Cluster') return `${clock}  Verified: versions and statuses as planned.`;
  if (!isStepOutput(output)) return undefined;
  const name = stepName(output);
  const who = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  const id = output.updateId ? ` (update ${output.updateId})` : '';
  switch (output.status) {
    case 'Skipped':
      return `${clock}  ${who}: nothing to do for ${output.target}${'note' in output ? ` (${String(output.note)})` : ''}.`;
    case 'InProgress': {
      if (task.state.startsWith('Update')) {
        return `${clock}  ${who}: ${output.adopted ? 'adopted the running update' : 'update started'} to ${output.target}${id}.`;
      }
      const progress =
        'progress' in output
          ? (output as { progress?: { updated: number; total: number } }).progress
          : undefined;
      return progress
        ? `${clock}  ${who}: rolling, ${progressBar(progress.updated, progress.total)} ${progress.updated} on the new launch template, ${progress.total - progress.updated} old left to drain.`
        : `${clock}  ${who}: updating to ${output.target}...`;
    }
    default:
      return `${clock}  ${who}: ${output.status}${id}.`;
  }
}

function progressBar(done: number, total: number, width = 12): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** A Lambda error's Cause is the JSON Step Functions got from Lambda; a person wants its message. */
export function readableCause(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed)
      return String(parsed.errorMessage);
  } catch {
    // Not JSON: a Fail state's own cause, already for people.
  }
  return cause;
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
  lines.push(
    '',
    `  State transitions ${summary.stateTransitions}, Lambda invocations ${summary.lambdaInvocations}, mutating AWS calls ${summary.mutatingCalls}`,
    `  Simulated time ${formatDuration(summary.simulatedSeconds)}, wall time ${summary.wallSeconds.toFixed(2)} s`,
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

/** The plan as a table a person reads before saying yes: one block per stage. */
export function formatPlan(plan: UpgradePlan): string {
  const rotations = plan.stages.reduce((sum, stage) => sum + stage.nodegroups.length, 0);
  const hops = plan.stages.filter((stage) => stage.controlPlane).length;
  const addonCells = plan.stages.flatMap((stage) =>
    stage.addons.map((addon) => `${addon.name} ${addon.from} -> ${addon.to}`),
  );
  const addonWidth = Math.max(10, ...addonCells.map((cell) => cell.length + 2));
  const lines = [
    `Plan for ${plan.clusterName}: ${plan.currentVersion} -> ${plan.targetVersion}, ${hops} control-plane hop${hops === 1 ? '' : 's'}, ${rotations} node group rolling update${rotations === 1 ? '' : 's'}, about ${formatDuration(plan.estimatedSeconds)}`,
    '',
    `  ${'Stage'.padEnd(6)}${'Control plane'.padEnd(16)}${'Add-ons'.padEnd(addonWidth)}Node groups`,
  ];
  for (const stage of plan.stages) {
    const controlPlane = stage.controlPlane ? `${stage.controlPlane.from} -> ${stage.controlPlane.to}` : '-';
    const addons = stage.addons.map((addon) => `${addon.name} ${addon.from} -> ${addon.to}`);
    const nodegroups = stage.nodegroups.map(
      (step) =>
        `${step.name} -> ${step.toVersion ?? `launch template v${step.launchTemplate?.version ?? '?'}`}${step.releaseVersion ? ` (${step.releaseVersion})` : ''} [${step.reason}]`,
    );
    const rows = Math.max(1, addons.length, nodegroups.length);
    for (let row = 0; row < rows; row += 1) {
      lines.push(
        `  ${(row === 0 ? String(stage.index) : '').padEnd(6)}${(row === 0 ? controlPlane : '').padEnd(16)}${(addons[row] ?? (row === 0 ? '-' : '')).padEnd(addonWidth)}${nodegroups[row] ?? (row === 0 ? '-' : '')}`,
      );
    }
  }
  if (plan.stages.length === 0)
    lines.push('  Nothing to change: the cluster is already where the input asks.');
  const insights = plan.insights.filter((insight) => insight.status !== 'PASSING');
  if (insights.length > 0) {
    lines.push('', '  Upgrade insights:');
    for (const insight of insights) {
      lines.push(
        `    ${insight.status.padEnd(8)} ${insight.kubernetesVersion}  ${insight.name}: ${insight.reason}`,
      );
    }
  }
  if (plan.selfManagedAddons.length > 0) {
    lines.push(
      '',
      `  Self-managed add-ons (yours to move, if installed): ${plan.selfManagedAddons.join(', ')}`,
    );
  }
  for (const note of plan.notes) lines.push(`  Note: ${note}`);
  return lines.join('\n');
}

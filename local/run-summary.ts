import type { TaskRecord } from './harness/bind-tasks.ts';
import type { ExecutionResult } from './harness/local-aws.ts';
import type { LoggedRequest, SimulatorSnapshot } from './simulator/index.ts';

/** The shape `npm start -- --json` prints: one object a script or a test can read. */
export interface RunSummary {
  cluster: string;
  from: string;
  to: string;
  status: 'SUCCEEDED' | 'FAILED';
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
    instancesReplaced: number;
  }>;
  stateTransitions: number;
  lambdaInvocations: number;
  simulatedSeconds: number;
  wallSeconds: number;
  mutatingCalls: number;
}

/** The step result shape the update and check tasks return (see functions/shared/types.ts). */
interface StepOutput {
  kind: 'controlPlane' | 'nodegroup';
  nodegroupName?: string;
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

  // The last word on each step: the final output of its update or check task.
  const lastByStep = new Map<string, StepOutput>();
  for (const task of execution.tasks) {
    if (!isStepOutput(task.output)) continue;
    lastByStep.set(`${task.output.kind}/${task.output.nodegroupName ?? ''}`, task.output);
  }
  const steps = [...lastByStep.values()].map((step) => {
    const update = step.updateId ? updates.get(step.updateId) : undefined;
    const start = update ? update.createdAt : execution.startedAt;
    const end = update ? (update.endedAt ?? after.now) : start;
    return {
      name: step.kind === 'controlPlane' ? 'control plane' : `node group ${step.nodegroupName ?? ''}`,
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
      instancesReplaced: nodegroup.instancesReplaced - (earlier?.instancesReplaced ?? 0),
    };
  });

  return {
    cluster: clusterName,
    from: clusterBefore?.version ?? 'unknown',
    to: clusterAfter?.version ?? 'deleted',
    status: execution.status,
    ...(execution.error ? { error: execution.error } : {}),
    ...(execution.cause ? { cause: execution.cause } : {}),
    dryRun: args.dryRun,
    steps,
    nodegroups,
    stateTransitions: execution.stateTransitions,
    lambdaInvocations: execution.lambdaInvocations,
    simulatedSeconds: second(execution.endedAt),
    wallSeconds: Math.round(args.wallSeconds * 100) / 100,
    mutatingCalls: args.requestLog.filter((request) => request.mutating && request.service !== 'sns').length,
  };
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
  const who = output.kind === 'controlPlane' ? 'Control plane' : `Node group ${output.nodegroupName ?? ''}`;
  const id = output.updateId ? ` (update ${output.updateId})` : '';
  switch (output.status) {
    case 'Skipped':
      return `${clock}  ${who}: already on ${output.target}, nothing to do.`;
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

/** The human summary: outcome, steps, node groups, counts, and a timeline of the updates. */
export function formatSummary(summary: RunSummary): string {
  const lines = [
    '',
    `${summary.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED'}: cluster ${summary.cluster} ${summary.from} -> ${summary.to}${summary.dryRun ? ' (dry run: nothing changed)' : ''}`,
  ];
  if (summary.error) lines.push(`  Error: ${summary.error}`, `  Cause: ${summary.cause ?? ''}`);
  if (summary.steps.length > 0) {
    lines.push(
      '',
      '  Step                               Update ID                              Status       Simulated',
    );
    for (const step of summary.steps) {
      lines.push(
        `  ${`${step.name} -> ${step.target}`.padEnd(34)} ${(step.updateId ?? '-').padEnd(38)} ${`${step.status}${step.adopted ? '*' : ''}`.padEnd(12)} ${formatDuration(step.simulatedSeconds)}`,
      );
    }
    if (summary.steps.some((step) => step.adopted))
      lines.push('  * adopted: started by someone else, followed to the end');
  }
  for (const nodegroup of summary.nodegroups) {
    lines.push(
      `  Node group ${nodegroup.name}: ${nodegroup.from} (${nodegroup.releaseFrom}) -> ${nodegroup.to} (${nodegroup.releaseTo}), ${nodegroup.instancesReplaced} instances replaced`,
    );
  }
  lines.push(
    '',
    `  State transitions ${summary.stateTransitions}, Lambda invocations ${summary.lambdaInvocations}, mutating AWS calls ${summary.mutatingCalls}`,
    `  Simulated time ${formatDuration(summary.simulatedSeconds)}, wall time ${summary.wallSeconds.toFixed(2)} s`,
  );
  const timeline = formatTimeline(summary);
  if (timeline) lines.push('', timeline);
  return lines.join('\n');
}

/** A Gantt chart in text: one bar per update over the run's simulated time. */
export function formatTimeline(summary: RunSummary, width = 60): string | undefined {
  const bars = summary.steps.filter((step) => step.updateId);
  if (bars.length === 0 || summary.simulatedSeconds <= 0) return undefined;
  const scale = width / summary.simulatedSeconds;
  const label = (text: string) => text.slice(0, 28).padEnd(28);
  const rows = bars.map((step) => {
    const start = Math.min(width - 1, Math.floor(step.startSecond * scale));
    const end = Math.max(start + 1, Math.min(width, Math.round(step.endSecond * scale)));
    const mark = step.status === 'Successful' ? '=' : 'x';
    return `  ${label(step.name)}|${' '.repeat(start)}${mark.repeat(end - start)}${' '.repeat(width - end)}|`;
  });
  const axis = `  ${' '.repeat(28)}0${' '.repeat(width - 1)}${formatDuration(summary.simulatedSeconds)}`;
  return ['  Timeline (simulated)', ...rows, axis].join('\n');
}

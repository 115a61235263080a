// How the product tells people what a run does: the plan as a table, one line per step's progress.
// npm start, `eks-upgrade plan` and `eks-upgrade watch` all print through these.
import { nodegroupSteps, type UpgradePlan } from '../functions/shared/types.ts';

/** A task as a run's progress sees it: the local engine's records and the execution history alike. */
export interface TaskEvent {
  state: string;
  startedAt?: number;
  endedAt: number;
  input: unknown;
  output?: unknown;
  error?: { name: string; message: string };
}

/** The step result shape the update and check tasks return (see functions/shared/types.ts). */
export interface StepOutput {
  kind: 'controlPlane' | 'nodegroup' | 'addon';
  nodegroupName?: string;
  addonName?: string;
  target: string;
  updateId: string | null;
  status: string;
  adopted: boolean;
  /** A failed gate's rollback step. */
  rollback?: boolean;
}

export function isStepOutput(value: unknown): value is StepOutput {
  return (
    typeof value === 'object' && value !== null && 'kind' in value && 'updateId' in value && 'status' in value
  );
}

export function stepName(
  step: Pick<StepOutput, 'kind' | 'nodegroupName' | 'addonName' | 'rollback'>,
): string {
  const back = step.rollback ? ' (rollback)' : '';
  if (step.kind === 'addon') return `add-on ${step.addonName ?? ''}${back}`;
  return step.kind === 'nodegroup' ? `node group ${step.nodegroupName ?? ''}` : `control plane${back}`;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

/** One line of live progress for a task that just ended, or undefined when it says nothing new. */
export function progressLine(task: TaskEvent, runStartedAt: number): string | undefined {
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
  if (task.state === 'Check Health Gates') return bakeLine(clock, output);
  if (task.state === 'Close Wave') return waveLine(clock, task.input, output);
  if (!isStepOutput(output)) return undefined;
  const name = stepName(output);
  const who = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  const id = output.updateId ? ` (update ${output.updateId})` : '';
  switch (output.status) {
    case 'Skipped':
      return `${clock}  ${who}: nothing to do for ${output.target}${'note' in output ? ` (${String(output.note)})` : ''}.`;
    case 'InProgress': {
      const foreign = (output as { foreign?: { type: string } }).foreign;
      if (foreign) {
        return `${clock}  ${who}: busy with someone else's ${foreign.type} ${output.updateId ?? ''}; the roll to ${output.target} starts once it ends.`;
      }
      // A replacement says which step it is on (creating the new group, deleting the old one).
      if (task.state === 'Replace Node Group' && 'note' in output) {
        return `${clock}  ${who}: replacing by ${output.target}: ${String(output.note)}.`;
      }
      if (task.state.startsWith('Update') || task.state.startsWith('Roll Back')) {
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

/** A fleet wave's end: passed (and the soak before the next), or the later waves held back. */
function waveLine(clock: string, input: unknown, output: unknown): string | undefined {
  const event = input as { waves?: Array<{ name: string }>; waveIndex?: number } | undefined;
  const progress = output as
    | { done?: boolean; soakSeconds?: number; results?: Array<{ status: string }> }
    | undefined;
  const wave = event?.waves?.[event.waveIndex ?? -1]?.name;
  if (!wave || !progress) return undefined;
  const next = event?.waves?.[(event.waveIndex ?? 0) + 1]?.name;
  const held = progress.results?.filter((result) => result.status === 'NOT_STARTED').length ?? 0;
  if (progress.done && held > 0)
    return `${clock}  Wave ${wave} ended with failures: ${held} cluster(s) held back.`;
  if (progress.done) return `${clock}  Wave ${wave} passed; it was the last.`;
  const soak = progress.soakSeconds ? `soaking ${Math.round(progress.soakSeconds / 60)} min, then ` : '';
  return `${clock}  Wave ${wave} passed; ${soak}wave ${next} starts.`;
}

/** A bake's first look, and how it ended; the looks between say nothing new. */
function bakeLine(clock: string, output: unknown): string | undefined {
  if (typeof output !== 'object' || output === null || !('status' in output)) return undefined;
  const gate = output as {
    status: string;
    checks: number;
    bakeUntil: string;
    hop: { to: string };
    failure?: { cause: string };
  };
  if (gate.status === 'Failed')
    return `${clock}  Bake after the hop to ${gate.hop.to}: FAILED. ${gate.failure?.cause ?? ''}`;
  if (gate.status === 'Passed')
    return `${clock}  Bake after the hop to ${gate.hop.to}: passed (${gate.checks} looks at the gates).`;
  return gate.checks === 1
    ? `${clock}  Bake after the hop to ${gate.hop.to}: gates pass so far; baking until ${gate.bakeUntil}.`
    : undefined;
}

function progressBar(done: number, total: number, width = 12): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** The plan as a table a person reads before saying yes: one block per stage. */
export function formatPlan(plan: UpgradePlan): string {
  const rotations = plan.stages.reduce((sum, stage) => sum + nodegroupSteps(stage).length, 0);
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
    const nodegroups = nodegroupSteps(stage).map(
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

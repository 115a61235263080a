// The run as a Gantt chart in simulated time: one bar per update, its status checks and node replacements.

import { formatDuration } from '../format/run-text.ts';
import { html, joinHtml, type SafeHtml } from './html.ts';
import type { RunSummary, TaskRecord } from './run-summary.ts';
import { arrayField, isRecord, numberField, stringField } from './values.ts';

type Step = RunSummary['steps'][number];

/** One row of the chart: an update (or a skipped step) and what the workflow saw of it. */
export interface TimelineLane {
  step: Step;
  /** Seconds from the run's start at which a status check of this update returned. */
  checks: number[];
  /** Old nodes gone since the check before: seen at a check, `count` of them. */
  replacements: Array<{ second: number; count: number }>;
}

export interface Timeline {
  lanes: TimelineLane[];
  runSeconds: number;
  status: RunSummary['status'];
  deadlineSecond?: number;
}

/** Lays out the run from its summary and task records; times are seconds from `runStartedAt`. */
export function buildTimeline(args: {
  summary: RunSummary;
  tasks: readonly TaskRecord[];
  plan?: unknown;
  runStartedAt: number;
  deadline?: number;
}): Timeline {
  const { summary, tasks, runStartedAt } = args;
  const second = (ms: number) => Math.round((ms - runStartedAt) / 1000);
  const checks = tasks
    .filter((task) => task.state.startsWith('Check') && isRecord(task.output))
    .sort((a, b) => a.endedAt - b.endedAt);
  const lanes = summary.steps.map((step): TimelineLane => {
    const own = step.updateId
      ? checks.filter((task) => stringField(task.output, 'updateId') === step.updateId)
      : [];
    return {
      step,
      checks: own.map((task) => second(task.endedAt)),
      replacements: step.kind === 'nodegroup' ? nodeReplacements(own, args.plan, second) : [],
    };
  });
  return {
    lanes,
    runSeconds: summary.simulatedSeconds,
    status: summary.status,
    ...(args.deadline === undefined ? {} : { deadlineSecond: second(args.deadline) }),
  };
}

/**
 * A replacement tick wherever the number of old instances (total - updated) dropped since the
 * check before. The count before the first check is the plan's desired size for the node group.
 * A failed update's last check is left out: its rollback moves the counts without replacing nodes.
 */
function nodeReplacements(
  checks: readonly TaskRecord[],
  plan: unknown,
  second: (ms: number) => number,
): TimelineLane['replacements'] {
  const name = checks.map((task) => stringField(task.output, 'nodegroupName')).find(Boolean);
  const planned = arrayField(plan, 'nodegroups').find((entry) => stringField(entry, 'name') === name);
  let old = numberField(planned, 'desiredSize');
  const ticks: TimelineLane['replacements'] = [];
  for (const task of checks) {
    const progress = isRecord(task.output) ? task.output.progress : undefined;
    const updated = numberField(progress, 'updated');
    const total = numberField(progress, 'total');
    if (updated === undefined || total === undefined) continue;
    const now = total - updated;
    const status = stringField(task.output, 'status');
    if (old !== undefined && now < old && (status === 'InProgress' || status === 'Successful')) {
      ticks.push({ second: second(task.endedAt), count: old - now });
    }
    old = now;
  }
  return ticks;
}

export const statusColours: Record<string, string> = {
  Successful: '#1f883d',
  Failed: '#cf222e',
  Cancelled: '#6e7781',
  InProgress: '#0969da',
  Skipped: '#afb8c1',
};

const layout = {
  width: 1040,
  labelX: 16,
  chartX0: 316,
  chartX1: 1016,
  top: 34,
  laneHeight: 60,
  barHeight: 22,
  axisHeight: 44,
  charWidth: 7,
};

/** A round number of minutes between axis ticks: about eight ticks over the chart. */
function tickMinutes(totalSeconds: number): number {
  const steps = [1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480];
  return steps.find((step) => totalSeconds / 60 / step <= 9) ?? 960;
}

/** The chart as inline SVG; every text in it escaped. */
export function renderTimeline(timeline: Timeline): SafeHtml {
  const { lanes } = timeline;
  const lastCheck = Math.max(0, ...lanes.flatMap((lane) => lane.checks));
  const lastEnd = Math.max(0, ...lanes.map((lane) => lane.step.endSecond));
  const span = Math.max(60, timeline.runSeconds, lastCheck, lastEnd, timeline.deadlineSecond ?? 0);
  const tick = tickMinutes(span) * 60;
  const domain = Math.ceil(span / tick) * tick;
  const x = (s: number) =>
    round(layout.chartX0 + (Math.max(0, s) / domain) * (layout.chartX1 - layout.chartX0));
  const rows = [runLane(timeline, x), ...lanes.map((lane, index) => stepLane(lane, index + 1, x))];
  const chartBottom = layout.top + (lanes.length + 1) * layout.laneHeight;
  const height = chartBottom + layout.axisHeight;

  const ticks: SafeHtml[] = [];
  for (let s = 0; s <= domain; s += tick) {
    ticks.push(html`<line class="grid" x1="${x(s)}" x2="${x(s)}" y1="${layout.top - 6}" y2="${chartBottom}"/>
      <text class="axis" x="${x(s)}" y="${chartBottom + 18}" text-anchor="middle">${s / 60}</text>`);
  }
  const deadline = timeline.deadlineSecond;
  const missed = deadline !== undefined && timeline.runSeconds > deadline;
  const deadlineMark =
    deadline === undefined
      ? ''
      : html`<g data-testid="deadline" class="${missed ? 'deadline missed' : 'deadline'}">
      <title>Deadline: +${formatDuration(deadline)}${missed ? ' (missed)' : ''}</title>
      <line x1="${x(deadline)}" x2="${x(deadline)}" y1="${layout.top - 14}" y2="${chartBottom}"/>
      <text x="${x(deadline) - 6}" y="${layout.top - 18}" text-anchor="end">deadline +${formatDuration(deadline)}${missed ? ', missed' : ''}</text>
    </g>`;

  const caption = `Timeline of the run in simulated minutes: ${lanes.length} step${lanes.length === 1 ? '' : 's'} over ${formatDuration(timeline.runSeconds)}`;
  return html`<svg class="timeline" data-testid="timeline-chart" role="img" aria-label="${caption}"
    viewBox="0 0 ${layout.width} ${height}" width="${layout.width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
  <defs>
    <pattern id="adopted-stripes" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="4" height="8" fill="#ffffff" fill-opacity="0.28"/>
    </pattern>
  </defs>
  <line class="axis-line" x1="${layout.chartX0}" x2="${layout.chartX1}" y1="${chartBottom}" y2="${chartBottom}"/>
  ${ticks}
  ${deadlineMark}
  ${rows}
  <text class="axis-title" x="${layout.chartX1}" y="${chartBottom + 38}" text-anchor="end">minutes since the run started (simulated)</text>
</svg>`;
}

function runLane(timeline: Timeline, x: (s: number) => number): SafeHtml {
  const top = layout.top;
  const y = top + 18;
  const end = x(timeline.runSeconds);
  const colour = timeline.status === 'SUCCEEDED' ? statusColours.Successful : statusColours.Failed;
  return html`<g class="lane run-lane" data-testid="timeline-run">
    <text class="lane-name" x="${layout.labelX}" y="${top + 22}">Step Functions execution</text>
    <text class="lane-sub" x="${layout.labelX}" y="${top + 40}">${timeline.status} after ${formatDuration(timeline.runSeconds)}</text>
    <rect class="run-bar" x="${layout.chartX0}" y="${y}" width="${Math.max(2, end - layout.chartX0)}" height="6" rx="3"/>
    <circle cx="${end}" cy="${y + 3}" r="5" fill="${colour}"/>
  </g>`;
}

function stepLane(lane: TimelineLane, index: number, x: (s: number) => number): SafeHtml {
  const { step } = lane;
  const top = layout.top + index * layout.laneHeight;
  const barY = top + 12;
  const colour = statusColours[step.status] ?? '#57606a';
  const x0 = x(step.startSecond);
  const x1 = Math.max(x0 + 3, x(step.endSecond));
  const title = `${step.name} to ${step.target}: ${step.status}${step.adopted ? ' (adopted)' : ''}, update ${step.updateId ?? 'none'}, +${formatDuration(step.startSecond)} to +${formatDuration(step.endSecond)}`;
  const sub = step.updateId ?? `no update: already on ${step.target}`;
  const label = html`<text class="lane-name" x="${layout.labelX}" y="${top + 24}">${truncate(`${step.name} → ${step.target}`, 40)}</text>
    <text class="lane-sub mono" x="${layout.labelX}" y="${top + 42}">${sub}</text>`;
  const separator = html`<line class="lane-separator" x1="${layout.labelX}" x2="${layout.chartX1}" y1="${top}" y2="${top}"/>`;

  if (!step.updateId) {
    return html`<g class="lane" data-testid="timeline-bar" data-status="${step.status}">
      <title>${title}</title>${separator}${label}
      <rect x="${x0 - 5}" y="${barY + 6}" width="10" height="10" transform="rotate(45 ${x0} ${barY + 11})" fill="${colour}"/>
      <text class="outcome-text" x="${x0 + 12}" y="${barY + 15}">${step.status}</text>
    </g>`;
  }

  const outcome = `${step.status}${step.adopted ? ' (adopted)' : ''} · ${formatDuration(step.simulatedSeconds)}`;
  const textWidth = outcome.length * layout.charWidth;
  const textY = barY + layout.barHeight / 2 + 4;
  const outcomeText =
    x1 - x0 >= textWidth + 16
      ? html`<text class="outcome-text inside" x="${x0 + 8}" y="${textY}">${outcome}</text>`
      : layout.chartX1 - x1 >= textWidth + 8
        ? html`<text class="outcome-text" x="${x1 + 6}" y="${textY}">${outcome}</text>`
        : html`<text class="outcome-text" x="${x0 - 6}" y="${textY}" text-anchor="end">${outcome}</text>`;

  const checkY = barY + layout.barHeight + 10;
  const lastCheck = lane.checks.at(-1);
  const waits =
    lastCheck === undefined
      ? ''
      : html`<line class="wait-track" x1="${x0}" x2="${x(lastCheck)}" y1="${checkY}" y2="${checkY}"/>`;
  const checks = lane.checks.map(
    (s) =>
      html`<circle class="check" data-testid="status-check" cx="${x(s)}" cy="${checkY}" r="3"><title>status check at +${formatDuration(s)}</title></circle>`,
  );
  const replacements = lane.replacements.map(
    (tick) =>
      html`<g class="replacement" data-testid="node-replacement" data-count="${tick.count}">
        <title>${tick.count} old node${tick.count === 1 ? '' : 's'} replaced, seen at +${formatDuration(tick.second)}</title>
        <line x1="${x(tick.second)}" x2="${x(tick.second)}" y1="${barY - 4}" y2="${barY + layout.barHeight + 4}"/>
        ${tick.count > 1 ? html`<text x="${x(tick.second) + 4}" y="${barY - 2}">×${tick.count}</text>` : ''}
      </g>`,
  );

  return html`<g class="lane" data-testid="timeline-bar" data-status="${step.status}" data-update-id="${step.updateId}">
    <title>${title}</title>${separator}${label}
    ${waits}
    <rect class="bar" x="${x0}" y="${barY}" width="${round(x1 - x0)}" height="${layout.barHeight}" rx="4" fill="${colour}"/>
    ${step.adopted ? html`<rect x="${x0}" y="${barY}" width="${round(x1 - x0)}" height="${layout.barHeight}" rx="4" fill="url(#adopted-stripes)"/>` : ''}
    ${outcomeText}
    ${joinHtml(checks)}
    ${joinHtml(replacements)}
  </g>`;
}

/** Keeps a label inside the label column; the lane's title has it in full. */
function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

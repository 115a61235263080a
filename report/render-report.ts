// One self-contained HTML page about a run: outcome, timeline, plan. Inline CSS and SVG, no script,
// nothing fetched, so it can be mailed, attached to a ticket or opened from a CI artifact.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { formatDuration, readableCause } from '../format/run-text.ts';
import { html, SafeHtml } from './html.ts';
import { renderPlan } from './plan.ts';
import type { RunSummary, TaskRecord } from './run-summary.ts';
import { buildTimeline, renderTimeline, statusColours } from './timeline.ts';
import { stringField } from './values.ts';

/** What a report is made of: the run's summary and task records, its plan, and its clock. */
export interface RunReportData {
  summary: RunSummary;
  tasks: TaskRecord[];
  /** The Plan Upgrade task's output, shown as a table. */
  plan?: unknown;
  /** Simulated ms epoch at which the execution started: the timeline's zero. */
  runStartedAt: number;
  /** Simulated ms epoch by which the run should have ended: a line on the timeline. */
  deadline?: number;
}

/** Renders the run report: a complete HTML document, every text from the run escaped. */
export function renderRunReport(report: RunReportData): string {
  const { summary } = report;
  // Newer summaries carry the plan too; the one given explicitly wins.
  const plan = report.plan !== undefined ? report.plan : 'plan' in summary ? summary.plan : undefined;
  const data: RunReportData = { ...report, plan };
  const title = `EKS upgrade ${summary.status === 'SUCCEEDED' ? 'succeeded' : 'failed'}: ${summary.cluster} ${summary.from} → ${summary.to}`;
  const started = new Date(data.runStartedAt)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body>
<main>
<header>
  <p class="eyebrow">EKS upgrade workflow · run report</p>
  <h1>Cluster <span class="cluster">${summary.cluster}</span></h1>
  <p class="meta">Started ${started} (simulated clock) · ${summary.dryRun ? 'dry run' : 'upgrade'} from ${summary.from}</p>
</header>
${renderOutcome(data)}
<section aria-labelledby="timeline-heading" data-testid="timeline" class="card">
  <h2 id="timeline-heading">Timeline</h2>
  ${renderLegend(data.deadline !== undefined)}
  <div class="chart">${renderTimeline(buildTimeline(data))}</div>
</section>
<section aria-labelledby="plan-heading" data-testid="plan" class="card">
  <h2 id="plan-heading">Plan</h2>
  ${renderPlan(data.plan)}
</section>
${renderSteps(summary)}
${renderTaskErrors(data)}
<footer>Times are simulated: the local run compresses AWS's minutes into milliseconds. Generated from the run's summary and its Step Functions task records.</footer>
</main>
</body>
</html>
`;
  return page.value;
}

/** Writes the report to `path` (creating its directory) and returns the file's absolute path. */
export async function writeRunReport(data: RunReportData, path: string): Promise<string> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, renderRunReport(data), 'utf8');
  return file;
}

function renderOutcome({ summary, plan, deadline, runStartedAt }: RunReportData): SafeHtml {
  const succeeded = summary.status === 'SUCCEEDED';
  const target = stringField(plan, 'targetVersion') ?? summary.to;
  const replaced = summary.nodegroups.reduce((sum, nodegroup) => sum + nodegroup.instancesReplaced, 0);
  const onTarget = summary.nodegroups.filter((nodegroup) => nodegroup.to === target).length;
  const stopped = summary.steps.find((step) => step.status === 'Failed' || step.status === 'Cancelled');
  const headline = succeeded
    ? summary.dryRun
      ? 'Dry run: planned, nothing changed'
      : `Upgraded ${summary.from} → ${summary.to}`
    : `${stopped ? `${capitalize(stopped.name)} update ${stopped.status.toLowerCase()}` : 'Stopped'}: ${summary.error ?? 'unknown error'}`;
  const tiles: Array<[string, SafeHtml | string]> = [
    [
      'Control plane',
      summary.from === summary.to
        ? html`${summary.to} <span class="muted">(unchanged)</span>`
        : html`${summary.from} → <strong>${summary.to}</strong>`,
    ],
    [`Node groups on ${target}`, `${onTarget} of ${summary.nodegroups.length}`],
    ['Nodes replaced', String(replaced)],
    ['Simulated duration', formatDuration(summary.simulatedSeconds)],
    deadline === undefined
      ? ['Updates', String(summary.steps.filter((step) => step.updateId).length)]
      : deadlineTile(summary.simulatedSeconds, Math.round((deadline - runStartedAt) / 1000), succeeded),
  ];
  const error = summary.error
    ? html`<div class="error" role="alert" data-testid="error">
      <p class="error-code">Error <code>${summary.error}</code></p>
      <h3>What happened and what to do</h3>
      <p class="cause">${causeText(summary.cause)}</p>
    </div>`
    : '';

  return html`<section aria-labelledby="outcome-heading" data-testid="outcome" class="card outcome ${succeeded ? 'ok' : 'failed'}">
  <div class="outcome-head">
    <span class="status-badge" data-testid="run-status">${summary.status}</span>
    <h2 id="outcome-heading">${headline}</h2>
  </div>
  <dl class="tiles">${tiles.map(([label, value]) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`)}</dl>
  ${error}
  <table data-testid="versions-table">
    <caption>Versions before and after</caption>
    <thead><tr><th scope="col">Component</th><th scope="col">Before</th><th scope="col">After</th><th scope="col">AMI release before</th><th scope="col">AMI release after</th><th scope="col" class="num">Nodes replaced</th></tr></thead>
    <tbody>
      <tr><th scope="row">Control plane</th><td>${summary.from}</td><td>${versionCell(summary.from, summary.to)}</td><td class="muted">–</td><td class="muted">–</td><td class="num muted">–</td></tr>
      ${summary.nodegroups.map(
        (
          nodegroup,
        ) => html`<tr><th scope="row">Node group ${nodegroup.name}</th><td>${nodegroup.from}</td><td>${versionCell(nodegroup.from, nodegroup.to)}</td>
        <td class="mono">${nodegroup.releaseFrom}</td><td class="mono">${versionCell(nodegroup.releaseFrom, nodegroup.releaseTo)}</td><td class="num">${nodegroup.instancesReplaced}</td></tr>`,
      )}
    </tbody>
  </table>
  <p class="counters">${summary.stateTransitions} state transitions · ${summary.lambdaInvocations} Lambda invocations · ${summary.mutatingCalls} mutating AWS calls · ${summary.wallSeconds.toFixed(2)} s wall time</p>
</section>`;
}

function deadlineTile(runSeconds: number, deadlineSecond: number, succeeded: boolean): [string, SafeHtml] {
  const slack = deadlineSecond - runSeconds;
  const label = `Deadline +${formatDuration(deadlineSecond)}`;
  if (slack < 0) return [label, html`<span class="bad-text">missed by ${formatDuration(-slack)}</span>`];
  return succeeded
    ? [label, html`<span class="ok-text">met, ${formatDuration(slack)} spare</span>`]
    : [label, html`${formatDuration(slack)} left when it stopped`];
}

/** The cause as a person reads it. */
function causeText(cause: string | undefined): string {
  return cause ? readableCause(cause) : 'No cause was reported.';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function versionCell(from: string, to: string): SafeHtml {
  return from === to ? html`<span class="muted">${to} (unchanged)</span>` : html`<strong>${to}</strong>`;
}

function renderSteps(summary: RunSummary): SafeHtml {
  if (summary.steps.length === 0) return html``;
  return html`<section aria-labelledby="steps-heading" data-testid="steps" class="card">
  <h2 id="steps-heading">Updates</h2>
  <table>
    <caption class="visually-hidden">Updates the run started or followed</caption>
    <thead><tr><th scope="col">Step</th><th scope="col">Target</th><th scope="col">Update ID</th><th scope="col">Status</th><th scope="col" class="num">Started</th><th scope="col" class="num">Ended</th><th scope="col" class="num">Duration</th></tr></thead>
    <tbody>${summary.steps.map(
      (
        step,
      ) => html`<tr><th scope="row">${step.name}</th><td>${step.target}</td><td class="mono">${step.updateId ?? '–'}</td>
      <td><span class="dot" style="background:${statusColours[step.status] ?? '#57606a'}"></span>${step.status}${step.adopted ? ' (adopted: started elsewhere, followed to its end)' : ''}</td>
      <td class="num">+${formatDuration(step.startSecond)}</td><td class="num">+${formatDuration(step.endSecond)}</td><td class="num">${formatDuration(step.simulatedSeconds)}</td></tr>`,
    )}</tbody>
  </table>
</section>`;
}

/** Errors tasks raised along the way: retried ones (throttling, busy cluster) and the one that stopped the run. */
function renderTaskErrors({ tasks, runStartedAt }: RunReportData): SafeHtml {
  const failed = tasks.filter((task) => task.error);
  if (failed.length === 0) return html``;
  return html`<section aria-labelledby="task-errors-heading" data-testid="task-errors" class="card">
  <h2 id="task-errors-heading">Task errors</h2>
  <p class="muted">Every error a task raised; the state machine retries throttling, 5xx and busy-cluster errors with backoff.</p>
  <table>
    <thead><tr><th scope="col" class="num">At</th><th scope="col">State</th><th scope="col">Error</th><th scope="col">Message</th></tr></thead>
    <tbody>${failed.map(
      (
        task,
      ) => html`<tr><td class="num">+${formatDuration(Math.round((task.endedAt - runStartedAt) / 1000))}</td><td>${task.state}</td>
      <td><code>${task.error?.name}</code></td><td>${causeText(task.error?.message)}</td></tr>`,
    )}</tbody>
  </table>
</section>`;
}

function renderLegend(withDeadline: boolean): SafeHtml {
  const swatch = (status: string, label: string) =>
    html`<li><span class="swatch" style="background:${statusColours[status] ?? '#57606a'}"></span>${label}</li>`;
  return html`<ul class="legend" aria-label="Legend">
    ${swatch('Successful', 'successful')}${swatch('Failed', 'failed')}${swatch('InProgress', 'in progress')}${swatch('Cancelled', 'cancelled')}
    <li><span class="swatch adopted"></span>adopted update</li>
    <li><span class="tick-sample"></span>old nodes replaced</li>
    <li><span class="check-sample"></span>status check (the gaps are the waits)</li>
    ${withDeadline ? html`<li><span class="deadline-sample"></span>deadline</li>` : ''}
  </ul>`;
}

// A constant, kept as is: escaping would turn its quoted font names into entities, which CSS does not read.
const styles = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --bg: #f6f8fa; --ok: #1f883d; --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 40px; }
header { margin-bottom: 18px; }
.eyebrow { margin: 0; color: var(--muted); font-size: 12px; letter-spacing: .06em; text-transform: uppercase; }
h1 { margin: 2px 0 4px; font-size: 26px; font-weight: 600; }
h1 .cluster { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 24px; }
h2 { margin: 0 0 14px; font-size: 18px; font-weight: 600; }
h3 { margin: 18px 0 8px; font-size: 14px; font-weight: 600; }
h4 { margin: 12px 0 6px; font-size: 13px; font-weight: 600; }
.meta, .muted, .counters, footer { color: var(--muted); }
.meta { margin: 0; }
.mono, code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 12px; }
.card { background: #fff; border: 1px solid var(--border); border-radius: 10px; padding: 20px 22px; margin-bottom: 18px; box-shadow: 0 1px 2px rgba(31,35,40,.04); }
.outcome { border-top: 5px solid var(--ok); }
.outcome.failed { border-top-color: var(--bad); }
.outcome-head { display: flex; align-items: center; gap: 12px; margin-bottom: 14px; }
.outcome-head h2 { margin: 0; font-size: 20px; }
.status-badge { display: inline-block; padding: 3px 10px; border-radius: 999px; font-size: 12px; font-weight: 700; letter-spacing: .05em; color: #fff; background: var(--ok); }
.failed .status-badge { background: var(--bad); }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 10px; margin: 0 0 16px; }
.tiles div { border: 1px solid var(--border); border-radius: 8px; padding: 8px 12px; background: #fbfcfd; }
.tiles dt { color: var(--muted); font-size: 12px; }
.tiles dd { margin: 2px 0 0; font-size: 17px; font-weight: 600; }
.error { border: 1px solid #ffcecb; background: #ffebe9; border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; }
.error h3 { margin: 8px 0 4px; }
.error-code { margin: 0; font-weight: 600; }
.error-code code { font-size: 14px; color: var(--bad); background: #fff; border: 1px solid #ffcecb; border-radius: 6px; padding: 1px 6px; }
.cause { margin: 0; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; margin: 4px 0 8px; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid #eaeef2; }
thead th { font-size: 12px; font-weight: 600; color: var(--muted); background: var(--bg); border-bottom: 1px solid var(--border); }
tbody th { font-weight: 600; }
.ok-text { color: var(--ok); }
.bad-text { color: var(--bad); }
td.version { white-space: nowrap; }
.notes { margin: 0 0 12px; padding-left: 20px; color: #9a6700; }
table.plan tbody + tbody { border-top: 8px solid transparent; }
.stage-row th { background: #ddf4ff; color: #0550ae; font-size: 13px; border-bottom: 1px solid #b6e3ff; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.counters { margin: 8px 0 0; font-size: 13px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; }
.pill { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.pill.moves { background: #ddf4ff; color: #0550ae; }
.pill.stays { background: #eaeef2; color: var(--muted); }
.plan-summary { white-space: pre-line; margin: 0 0 12px; padding: 10px 14px; background: var(--bg); border-left: 3px solid #0969da; border-radius: 4px; }
.plan-facts { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
.inline-record { font-size: 12px; }
.options { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 0; }
.options div { display: flex; gap: 6px; }
.options dt { color: var(--muted); }
.options dd { margin: 0; font-weight: 600; }
table.generic { width: auto; }
table.generic th, table.generic td { padding: 4px 8px; }
details.other-fields { margin-top: 14px; }
details.other-fields summary { cursor: pointer; color: var(--muted); }
pre { background: var(--bg); padding: 10px; border-radius: 6px; overflow: auto; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 0; margin: -4px 0 10px; color: var(--muted); font-size: 12px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 18px; height: 10px; border-radius: 3px; }
.swatch.adopted { background: repeating-linear-gradient(45deg, #1f883d 0 3px, #62b676 3px 6px); }
.tick-sample { display: inline-block; width: 2px; height: 14px; background: #1f2328; }
.check-sample { display: inline-block; width: 7px; height: 7px; border: 1.5px solid #59636e; border-radius: 50%; background: #fff; }
.deadline-sample { display: inline-block; width: 0; height: 14px; border-left: 2px dashed #bc4c00; }
.chart { overflow-x: auto; }
svg.timeline { display: block; width: 100%; height: auto; min-width: 760px; font-family: inherit; }
svg .grid { stroke: #eaeef2; }
svg .axis-line { stroke: #afb8c1; }
svg .axis { font-size: 12px; fill: var(--muted); }
svg .axis-title { font-size: 12px; fill: var(--muted); }
svg .lane-separator { stroke: #eaeef2; }
svg .lane-name { font-size: 13px; font-weight: 600; fill: var(--fg); }
svg .lane-sub { font-size: 11.5px; fill: var(--muted); }
svg .lane-sub.mono { font-size: 11px; }
svg .run-bar { fill: #d1d9e0; }
svg .outcome-text { font-size: 12px; fill: var(--fg); font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg .outcome-text.inside { fill: #fff; stroke: none; }
svg .wait-track { stroke: #afb8c1; stroke-width: 1.5; stroke-dasharray: 2 3; }
svg .check { fill: #fff; stroke: #59636e; stroke-width: 1.5; }
svg .replacement line { stroke: #1f2328; stroke-width: 2; }
svg .replacement text { font-size: 10px; fill: var(--fg); font-weight: 600; }
svg .deadline line { stroke: #bc4c00; stroke-width: 2; stroke-dasharray: 6 4; }
svg .deadline text { font-size: 12px; font-weight: 600; fill: #bc4c00; }
svg .deadline.missed line { stroke: var(--bad); }
svg .deadline.missed text { fill: var(--bad); }
footer { font-size: 12px; text-align: center; margin-top: 8px; }
@media (max-width: 800px) { .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@media print { body { background: #fff; } .card { box-shadow: none; break-inside: avoid; } }
`;

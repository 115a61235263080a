// The run report: one self-contained HTML page (outcome, Gantt timeline in simulated time, plan).
export { renderPlan, renderValue } from './plan.ts';
export { type RunReportData, renderRunReport, writeRunReport } from './render-report.ts';
export { buildTimeline, renderTimeline, type Timeline, type TimelineLane } from './timeline.ts';

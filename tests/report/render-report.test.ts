import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../local/harness/bind-tasks.ts';
import type { RunSummary } from '../../local/run-summary.ts';
import { buildTimeline, type RunReportData, renderPlan, renderRunReport } from '../../report/index.ts';
import { recordRun } from './record-run.ts';

const start = Date.parse('2026-01-01T00:00:00Z');
const at = (second: number) => start + second * 1000;

// Built on a real run's summary, so the fixture keeps up with RunSummary as it grows.
let base: RunSummary;
beforeAll(async () => {
  base = (await recordRun()).summary;
});

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  const [step] = base.steps;
  const [nodegroup] = base.nodegroups;
  if (!step || !nodegroup) throw new Error('the seed run has no step or node group to build on');
  return {
    ...base,
    cluster: 'prod',
    from: '1.29',
    to: '1.30',
    status: 'SUCCEEDED',
    steps: [
      {
        ...step,
        name: 'node group apps',
        kind: 'nodegroup',
        target: '1.30',
        updateId: 'u-1',
        status: 'Successful',
        adopted: false,
        simulatedSeconds: 900,
        startSecond: 0,
        endSecond: 900,
      },
    ],
    nodegroups: [{ ...nodegroup, name: 'apps', from: '1.29', to: '1.30', instancesReplaced: 4 }],
    simulatedSeconds: 960,
    ...overrides,
  };
}

function check(second: number, updated: number, total: number, status = 'InProgress'): TaskRecord {
  return {
    state: 'Check Node Group Update',
    startedAt: at(second),
    endedAt: at(second),
    input: {},
    output: {
      kind: 'nodegroup',
      nodegroupName: 'apps',
      updateId: 'u-1',
      status,
      progress: { updated, total },
    },
  };
}

const plan = {
  targetVersion: '1.30',
  nodegroups: [{ name: 'apps', currentVersion: '1.29', desiredSize: 4 }],
};

function report(overrides: Partial<RunReportData> = {}): RunReportData {
  return { summary: summary(), tasks: [], plan, runStartedAt: start, ...overrides };
}

describe('buildTimeline', () => {
  it('ticks a node replacement wherever the count of old instances drops, from the planned size', () => {
    const tasks = [check(300, 2, 6), check(600, 3, 5), check(700, 3, 5), check(900, 4, 4, 'Successful')];
    const [lane] = buildTimeline(report({ tasks })).lanes;
    expect(lane?.checks).toEqual([300, 600, 700, 900]);
    expect(lane?.replacements).toEqual([
      { second: 600, count: 2 },
      { second: 900, count: 2 },
    ]);
  });

  it('draws no replacement from the last check of a failed update, whose rollback moves the counts', () => {
    const tasks = [check(300, 2, 6), check(600, 4, 4, 'Failed')];
    expect(buildTimeline(report({ tasks })).lanes[0]?.replacements).toEqual([]);
  });

  it('keeps checks of another update off the lane and places the deadline from the run start', () => {
    const other = { ...check(300, 0, 1), output: { updateId: 'u-2', status: 'InProgress' } };
    const timeline = buildTimeline(report({ tasks: [other], deadline: at(1800) }));
    expect(timeline.lanes[0]?.checks).toEqual([]);
    expect(timeline.deadlineSecond).toBe(1800);
  });
});

describe('renderRunReport', () => {
  it('escapes every text that comes from users or AWS', () => {
    const page = renderRunReport(
      report({
        summary: summary({
          cluster: '<script>alert(1)</script>',
          status: 'FAILED',
          error: 'Bad"Code',
          cause: '<img src=x onerror=alert(1)>',
        }),
        plan: { summary: '<b>plan</b>', nodegroups: [{ name: '<i>ng</i>' }] },
      }),
    );
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>plan');
    expect(page).not.toContain('<i>ng');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('Bad&quot;Code');
  });

  it('is self-contained: no script, no external stylesheet, image or font', () => {
    const page = renderRunReport(report({ tasks: [check(300, 2, 6)], deadline: at(1200) }));
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(
      /<script|<link|\ssrc=|url\((?!#)|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
    );
  });

  it('shows the message of a Lambda error cause, not its JSON', () => {
    const cause = JSON.stringify({ errorType: 'NotFound', errorMessage: 'No cluster named prod.' });
    const page = renderRunReport(
      report({ summary: summary({ status: 'FAILED', error: 'NotFound', cause }) }),
    );
    expect(page).toContain('<p class="cause">No cluster named prod.</p>');
  });
});

describe('renderPlan', () => {
  it('lays out stages: control plane, add-ons and node groups, each node group from where it was', () => {
    const markup = renderPlan({
      targetVersion: '1.26',
      nodegroups: [
        { name: 'ng', currentVersion: '1.24', releaseVersion: 'r24', desiredSize: 2, maxUnavailable: 1 },
      ],
      stages: [
        {
          index: 1,
          controlPlane: { from: '1.24', to: '1.25' },
          addons: [{ name: 'kube-proxy', from: 'v1.24', to: 'v1.25' }],
          rolls: [],
        },
        {
          index: 2,
          controlPlane: { from: '1.25', to: '1.26' },
          rolls: [
            {
              nodegroups: ['ng'],
              toVersion: '1.26',
              releaseVersion: 'r26',
              launchTemplate: null,
              reason: 'final',
            },
          ],
          drainTimeout: 600,
        },
      ],
    }).value;
    expect(markup).toContain('<caption>Upgrade plan</caption>');
    expect(markup).toContain('Stage 1 · to 1.25');
    expect(markup).toContain('Add-on <strong>kube-proxy</strong>');
    expect(markup).toMatch(
      /Node group <strong>ng<\/strong><\/th><td class="version">1\.24 <span[^>]*>\(r24\)/,
    );
    expect(markup).toContain('2 nodes replaced, 1 at a time');
    expect(markup).toContain('Drain timeout');
  });

  it('shows fields it does not know, scalars as options and the rest as JSON', () => {
    const markup = renderPlan({
      controlPlane: { from: '1.29', to: '1.30', moves: true },
      maxSurge: 2,
      labels: { a: 1 },
    }).value;
    expect(markup).toContain('<dt>Max surge</dt><dd>2</dd>');
    expect(markup).toContain('Other plan fields (labels)');
    expect(markup).toContain('&quot;a&quot;: 1');
  });

  it('says so when there is no plan', () => {
    expect(renderPlan(undefined).value).toContain('No plan was recorded');
  });
});

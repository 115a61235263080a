import { describe, expect, it } from 'vitest';
import {
  countRotations,
  criticalPath,
  criticalPathSeconds,
  detectUpdates,
  fleetLowerBoundSeconds,
  groupIntoStages,
  makespan,
  median,
  nodegroupLowerBoundSeconds,
  nodegroupPhaseSeconds,
  nodesReplaced,
  percentile,
  plannedRotations,
  pollsPerUpdate,
  type TaskLike,
  type UpdateLike,
} from '../../bench/metrics.ts';

const minute = 60_000;

const update = (id: string, createdMinute: number, endedMinute: number | undefined, resource = {}) => ({
  id,
  status: endedMinute === undefined ? 'InProgress' : 'Successful',
  createdAt: createdMinute * minute,
  ...(endedMinute === undefined ? {} : { endedAt: endedMinute * minute }),
  ...resource,
});

const check = (updateId: string, status: string, endedSeconds: number): TaskLike => ({
  state: 'Check Update',
  endedAt: endedSeconds * 1000,
  output: { kind: 'controlPlane', updateId, status },
});

describe('detectUpdates', () => {
  it('measures from the end AWS recorded to the first task that reported the end', () => {
    const updates = [update('cp', 0, 25)];
    const tasks = [
      check('cp', 'InProgress', 1490),
      check('cp', 'Successful', 1520),
      check('cp', 'Successful', 1600),
    ];
    expect(detectUpdates(updates, tasks)).toEqual([
      { updateId: 'cp', kind: 'controlPlane', endedAt: 1500_000, detectedAt: 1520_000, latencySeconds: 20 },
    ]);
  });

  it('takes the earliest report even when tasks are listed out of order (parallel branches)', () => {
    const updates = [update('ng', 0, 10, { nodegroupName: 'apps' })];
    const tasks = [check('ng', 'Successful', 700), check('ng', 'Failed', 640)];
    expect(detectUpdates(updates, tasks)[0]?.latencySeconds).toBe(40);
  });

  it('leaves out updates still running and updates no task reported ended', () => {
    const updates = [update('running', 0, undefined), update('foreign', 0, 5), update('ours', 0, 5)];
    const tasks = [
      check('running', 'InProgress', 600),
      check('ours', 'Cancelled', 300),
      { state: 'Verify', endedAt: 0 },
    ];
    expect(detectUpdates(updates, tasks).map((detection) => detection.updateId)).toEqual(['ours']);
  });
});

describe('median and percentile', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('takes the nearest-rank percentile: a value of the list, never above its max', () => {
    const values = Array.from({ length: 20 }, (_, index) => 20 - index);
    expect(percentile(values, 0.5)).toBe(10);
    expect(percentile(values, 0.95)).toBe(19);
    expect(percentile(values, 1)).toBe(20);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('lower bounds', () => {
  const update = (id: string, createdAt: number, seconds: number, nodegroupName?: string) => ({
    id,
    status: 'Successful',
    createdAt,
    endedAt: createdAt + seconds * 1000,
    ...(nodegroupName ? { nodegroupName } : {}),
  });

  it('bounds each stage by its longest node group, or their total over the slots', () => {
    const updates = [
      update('cp1', 0, 600),
      update('a', 1_000_000, 1800, 'a'),
      update('b', 1_000_000, 600, 'b'),
      update('c', 1_000_000, 600, 'c'),
      update('cp2', 5_000_000, 600),
      update('d', 6_000_000, 900, 'a'),
      update('e', 6_000_000, 900, 'b'),
    ];
    // Stage 1: max(1800, 3000 / 2); stage 2: max(900, 1800 / 2).
    expect(nodegroupLowerBoundSeconds(updates, 2, 0)).toBe(1800 + 900);
    // One at a time: the sums.
    expect(nodegroupLowerBoundSeconds(updates, 1, 0)).toBe(3000 + 1800);
  });

  it('bounds a fleet by its waves in turn, with the soak between them', () => {
    const waves = [
      { clusterSeconds: [3600, 3000], maxConcurrentClusters: 2, soakSeconds: 1800 },
      { clusterSeconds: [3600, 3600, 3600, 3600], maxConcurrentClusters: 2, soakSeconds: 1800 },
    ];
    expect(fleetLowerBoundSeconds(waves)).toBe(3600 + 1800 + 7200);
  });
});

describe('makespan', () => {
  it('starts each job, in order, on the first free slot, as a Map with MaxConcurrency does', () => {
    expect(makespan([13, 19, 16, 13], 1)).toBe(61);
    expect(makespan([13, 19, 16, 13], 4)).toBe(19);
    // In order, not longest first: 2 and 2 fill both slots, then 4 waits for one of them.
    expect(makespan([2, 2, 4], 2)).toBe(6);
    expect(makespan([4, 2, 2], 2)).toBe(4);
    expect(makespan([], 3)).toBe(0);
  });
});

describe('criticalPath', () => {
  it('adds stage by stage: control plane, add-ons in sequence, node groups on the slots', () => {
    const stages = [
      { controlPlane: 0, addons: [], nodegroups: [13] },
      { controlPlane: 25, addons: [3, 3], nodegroups: [13, 19, 16] },
    ];
    expect(criticalPath(stages, 1)).toBe(13 + 25 + 6 + 48);
    expect(criticalPath(stages, 2)).toBe(13 + 25 + 6 + 29);
  });
});

describe('groupIntoStages', () => {
  it('opens a stage at each control-plane update; earlier updates are stage 0', () => {
    const updates: UpdateLike[] = [
      update('cp2', 60, 85),
      update('pre', 0, 13, { nodegroupName: 'ng-123' }),
      update('cp1', 13, 38),
      update('cni', 38, 41, { addonName: 'vpc-cni' }),
      update('ng', 41, 57, { nodegroupName: 'ng-124' }),
    ];
    const stages = groupIntoStages(updates).map((stage) => ({
      controlPlane: stage.controlPlane?.id,
      addons: stage.addons.map((entry) => entry.id),
      nodegroups: stage.nodegroups.map((entry) => entry.id),
    }));
    expect(stages).toEqual([
      { controlPlane: undefined, addons: [], nodegroups: ['pre'] },
      { controlPlane: 'cp1', addons: ['cni'], nodegroups: ['ng'] },
      { controlPlane: 'cp2', addons: [], nodegroups: [] },
    ]);
  });
});

describe('criticalPathSeconds', () => {
  it("uses AWS's own update durations and the run's concurrency", () => {
    const updates: UpdateLike[] = [
      update('cp', 0, 25),
      update('proxy', 25, 28, { addonName: 'kube-proxy' }),
      update('a', 28, 41, { nodegroupName: 'a' }),
      update('b', 28, 47, { nodegroupName: 'b' }),
    ];
    expect(criticalPathSeconds(updates, 2, 0)).toBe((25 + 3 + 19) * 60);
    expect(criticalPathSeconds(updates, 1, 0)).toBe((25 + 3 + 13 + 19) * 60);
  });

  it('counts an update still running up to now', () => {
    expect(criticalPathSeconds([update('cp', 0, undefined)], 1, 10 * minute)).toBe(600);
  });
});

describe('nodegroupPhaseSeconds', () => {
  it('runs from the first node-group start to the last detection, per stage', () => {
    const updates: UpdateLike[] = [
      update('cp', 0, 25),
      update('a', 30, 43, { nodegroupName: 'a' }),
      update('b', 30, 49, { nodegroupName: 'b' }),
    ];
    const detections = detectUpdates(updates, [
      check('a', 'Successful', 43 * 60),
      check('b', 'Successful', 49 * 60 + 10),
    ]);
    expect(nodegroupPhaseSeconds(updates, detections, 0)).toBe(19 * 60 + 10);
  });
});

describe('rotations and nodes replaced', () => {
  it('counts node-group updates, not control-plane or add-on ones', () => {
    const updates = [
      update('cp', 0, 25),
      update('a', 25, 38, { nodegroupName: 'a' }),
      update('x', 0, 3, { addonName: 'x' }),
    ];
    expect(countRotations(updates)).toBe(1);
  });

  it('sums the instancesReplaced deltas, a node group new since the first snapshot counting in full', () => {
    const before = [
      { name: 'a', instancesReplaced: 3 },
      { name: 'b', instancesReplaced: 0 },
    ];
    const after = [
      { name: 'a', instancesReplaced: 6 },
      { name: 'b', instancesReplaced: 2 },
      { name: 'c', instancesReplaced: 1 },
    ];
    expect(nodesReplaced(before, after)).toBe(6);
  });

  it("counts a plan's node-group steps over all its stages", () => {
    expect(
      plannedRotations({
        stages: [
          { rolls: [{ nodegroups: [1] }, { nodegroups: [2] }] },
          { rolls: [] },
          { rolls: [{ nodegroups: [3] }] },
        ],
      }),
    ).toBe(3);
  });
});

describe('pollsPerUpdate', () => {
  it('counts check tasks per update id, not the task that started the update', () => {
    const tasks: TaskLike[] = [
      { state: 'Update Control Plane', endedAt: 0, output: { updateId: 'cp', status: 'InProgress' } },
      check('cp', 'InProgress', 300),
      check('cp', 'Successful', 600),
      { state: 'Check Add-on Update', endedAt: 700, output: { updateId: 'x', status: 'Successful' } },
    ];
    expect(Object.fromEntries(pollsPerUpdate(tasks))).toEqual({ cp: 2, x: 1 });
  });
});

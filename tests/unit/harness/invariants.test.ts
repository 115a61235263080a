import { describe, expect, it } from 'vitest';
import { checkInvariants, type InvariantContext } from '../../../local/harness/invariants.ts';
import type { LoggedRequest, SimulatorSnapshot, UpdateRecord } from '../../../local/simulator/index.ts';

const minute = 60_000;

function snapshot(
  version: string,
  nodegroups: Record<string, string>,
  updates: UpdateRecord[] = [],
  now = 0,
): SimulatorSnapshot {
  return {
    now,
    published: [],
    clusters: [
      {
        name: 'c',
        version,
        status: 'ACTIVE',
        platformVersion: 'eks.1',
        updates,
        nodegroups: Object.entries(nodegroups).map(([name, ngVersion]) => ({
          name,
          version: ngVersion,
          releaseVersion: `${ngVersion}.1-20240101`,
          amiType: 'AL2_x86_64',
          status: 'ACTIVE',
          launchTemplateVersion: 1,
          instances: [],
          instancesReplaced: 0,
        })),
      },
    ],
  };
}

function update(
  id: string,
  version: string,
  start: number,
  end: number,
  nodegroupName?: string,
): UpdateRecord {
  return {
    id,
    type: 'VersionUpdate',
    status: 'Successful',
    clusterName: 'c',
    ...(nodegroupName ? { nodegroupName } : {}),
    params: [{ type: 'Version', value: version }],
    startedBy: 'client',
    createdAt: start * minute,
    endedAt: end * minute,
    errors: [],
  };
}

function context(updates: UpdateRecord[], overrides: Partial<InvariantContext> = {}): InvariantContext {
  return {
    clusterName: 'c',
    before: snapshot('1.24', { a: '1.24', b: '1.23' }),
    after: snapshot('1.25', { a: '1.24', b: '1.23' }, updates, 999 * minute),
    requestLog: [],
    dryRun: false,
    maxConcurrentNodegroups: 1,
    expectedErrors: [],
    ...overrides,
  };
}

const request = (operation: string, extra: Partial<LoggedRequest> = {}): LoggedRequest => ({
  at: 0,
  service: 'eks',
  operation,
  mutating: operation.startsWith('Update'),
  params: {},
  status: 200,
  ...extra,
});

describe('checkInvariants', () => {
  it('accepts a clean one-hop run', () => {
    expect(
      checkInvariants(context([update('cp', '1.25', 0, 25), update('ng', '1.25', 30, 46, 'a')])),
    ).toEqual([]);
  });

  it('catches a control plane skipping a minor', () => {
    expect(checkInvariants(context([update('cp', '1.26', 0, 25)]))).toContainEqual(
      expect.stringContaining('1.24 -> 1.26, not one minor'),
    );
  });

  it('catches a hop that leaves a node group too far behind', () => {
    const updates = [update('cp1', '1.25', 0, 25), update('cp2', '1.26', 30, 55)];
    expect(checkInvariants(context(updates))).toContainEqual(
      expect.stringContaining('node group b was on 1.23: skew rule broken'),
    );
  });

  it('catches a node group sent past the control plane, and one updated during a control plane update', () => {
    const violations = checkInvariants(
      context([update('cp', '1.25', 0, 25), update('ng', '1.25', 10, 20, 'a')]),
    );
    expect(violations).toContainEqual(expect.stringContaining("newer than the control plane's 1.24"));
    expect(violations).toContainEqual(expect.stringContaining('updated while control plane update cp ran'));
  });

  it('catches more node group updates at once than allowed, and a duplicated update', () => {
    const updates = [
      update('cp', '1.25', 0, 25),
      update('n1', '1.25', 30, 46, 'a'),
      update('n2', '1.25', 31, 47, 'a'),
    ];
    const violations = checkInvariants(context(updates));
    expect(violations).toContainEqual(expect.stringContaining('2 node group updates ran at once'));
    expect(violations).toContainEqual(expect.stringContaining('update n2 repeats n1'));
  });

  it('catches a mutating call in a dry run and an error no fault explains', () => {
    const violations = checkInvariants(
      context([], {
        dryRun: true,
        requestLog: [
          request('UpdateClusterVersion'),
          request('DescribeCluster', { status: 429, errorCode: 'ThrottlingException' }),
        ],
      }),
    );
    expect(violations).toContainEqual('a dry run sent UpdateClusterVersion');
    expect(violations).toContainEqual(
      expect.stringContaining('ThrottlingException (429), which no fault explains'),
    );
    const expected = checkInvariants(
      context([], {
        requestLog: [request('DescribeCluster', { status: 429, errorCode: 'ThrottlingException' })],
        expectedErrors: ['ThrottlingException'],
      }),
    );
    expect(expected).toEqual([]);
  });
});

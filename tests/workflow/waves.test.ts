import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../local/simulator/index.ts';
import { clusterState, runWorkflow } from './helpers.ts';

// Fleet waves through the real fleet, cluster, stage and roll state machines: dev and staging pass,
// prod-a's bake fails and rolls back, and the rest of prod never starts.

const scenario = loadScenario('waves');
const trigger = scenario.trigger?.kind === 'window' ? scenario.trigger : undefined;
const fleetInput: Record<string, unknown> = {
  ...trigger?.input,
  window: { start: scenario.startTime, minutes: trigger?.windowMinutes ?? 1440 },
};

describe('fleet waves', () => {
  it('runs the waves in order with their soak; a rolled-back cluster holds the rest of its wave back', async () => {
    await runWorkflow(
      {
        scenario,
        input: fleetInput,
        options: { stateMachine: 'UpgradeFleetStateMachine', executionName: 'fleet-waves' },
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('FleetClustersFailed');
        for (const name of ['dev-1', 'staging-1']) {
          const cluster = clusterState(aws, name);
          expect(cluster.version).toBe('1.31');
          expect(cluster.nodegroups.every((nodegroup) => nodegroup.version === '1.31')).toBe(true);
        }
        const prodA = clusterState(aws, 'prod-a');
        expect(prodA.version).toBe('1.30');
        expect(prodA.updates.at(-1)?.type).toBe('VersionRollback');
        for (const name of ['prod-b', 'prod-c']) expect(clusterState(aws, name).updates).toEqual([]);

        // staging starts only after dev ended and its 30-minute soak passed.
        const devEnd = Math.max(...clusterState(aws, 'dev-1').updates.map((update) => update.endedAt ?? 0));
        const stagingStart = Math.min(
          ...clusterState(aws, 'staging-1').updates.map((update) => update.createdAt),
        );
        expect(stagingStart - devEnd).toBeGreaterThanOrEqual(30 * 60_000);

        expect(execution.cause).toContain('- prod-a [prod]: FAILED');
        expect(execution.cause).toContain('UpgradeRolledBackError');
        expect(execution.cause).toMatch(
          /- prod-b \[prod\]: NOT_STARTED[^\n]*\n {2}Not started: wave prod tolerates 0/,
        );
        const summary = aws.simulator.snapshot().published.at(-1);
        expect(summary?.subject).toBe('EKS fleet fleet-waves: 1 of 5 FAILED');
      },
    );
  });

  it('lets every wave run when a wave tolerates its failure', async () => {
    const tolerant = {
      ...fleetInput,
      waves: (fleetInput.waves as Array<Record<string, unknown>>).map((wave) => ({
        ...wave,
        maxFailures: 1,
      })),
    };
    await runWorkflow(
      {
        scenario,
        input: tolerant,
        options: { stateMachine: 'UpgradeFleetStateMachine', executionName: 'fleet-waves' },
      },
      ({ execution, aws }) => {
        expect(execution.status).toBe('FAILED');
        expect(clusterState(aws, 'prod-a').version).toBe('1.30');
        // prod-b starts (one failure is tolerated), but its plan finds the bake's alarm firing and
        // refuses before any change; the second failure holds prod-c back.
        expect(execution.cause).toMatch(
          /- prod-b \[prod\]: FAILED[^\n]*\n {2}AlarmsAlreadyFiringError: The bake's alarms are in ALARM/,
        );
        expect(clusterState(aws, 'prod-b').updates).toEqual([]);
        expect(execution.cause).toContain('- prod-c [prod]: NOT_STARTED');
        expect(clusterState(aws, 'prod-c').updates).toEqual([]);
      },
    );
  });
});

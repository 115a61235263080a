import { describe, expect, it } from 'vitest';
import {
  type CloseStageEvent,
  closeStage,
  type RolledNodegroup,
} from '../../../functions/close-stage/close-stage.ts';

const rolled = (name: string, minutes: number, updateId: string | null = `u-${name}`): RolledNodegroup => ({
  name,
  target: '1.31',
  updateId,
  status: updateId ? 'Successful' : 'Skipped',
  adopted: false,
  startedAt: updateId ? '2026-11-29T02:00:00.000Z' : null,
  finishedAt: updateId
    ? new Date(Date.parse('2026-11-29T02:00:00.000Z') + minutes * 60_000).toISOString()
    : null,
});

/** How Step Functions hands a failed roll execution to the stage's Catch (the child described in the Cause). */
const failedRoll = (name: string, error: string, cause: string) => ({
  name,
  failure: {
    Error: 'States.TaskFailed',
    Cause: JSON.stringify({
      ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:eks-upgrade-roll-nodegroup:${name}-1a2b3c4d`,
      Status: 'FAILED',
      Error: error,
      Cause: cause,
    }),
  },
});

const stage = (rollResults: CloseStageEvent['rollResults']): CloseStageEvent => ({
  index: 2,
  clusterName: 'prod',
  controlPlaneUpdate: null,
  addonUpdates: [],
  rollResults,
});

describe('closeStage', () => {
  it('counts the node groups and lists the first ten updates, so a hundred stay small', () => {
    const many = Array.from({ length: 100 }, (_, index) => rolled(`ng-${index}`, 20 + (index % 30)));
    const result = closeStage(stage([...many, rolled('done', 0, null)]));
    expect(result.nodegroups).toMatchObject({
      rolled: 100,
      skipped: 1,
      adopted: 0,
      fastestMinutes: 20,
      slowestMinutes: 49,
    });
    expect(result.nodegroups.updates).toHaveLength(10);
    expect(result.nodegroups.updates[0]).toEqual({
      what: 'node group ng-0',
      target: '1.31',
      updateId: 'u-ng-0',
      status: 'Successful',
      adopted: false,
      minutes: 20,
    });
    expect(JSON.stringify(result).length).toBeLessThan(2_000);
  });

  it('fails by the EKS error of the one node group that failed, after the others finished, naming each', () => {
    const close = () =>
      closeStage(
        stage([
          rolled('apps', 30),
          failedRoll('batch', 'PodEvictionFailure', 'Node group batch: a pod disruption budget blocks it.'),
          rolled('web', 25),
        ]),
      );
    expect(close).toThrow(
      expect.objectContaining({
        name: 'PodEvictionFailure',
        message: expect.stringMatching(
          /^1 of 3 node groups of cluster prod did not roll in stage 2: node group batch: PodEvictionFailure: Node group batch: a pod disruption budget blocks it\. The others finished: 2 rolled \(apps, web\), 0 already done\./,
        ),
      }),
    );
  });

  it('names the failure NodegroupUpdatesFailed when node groups failed differently', () => {
    expect(() =>
      closeStage(
        stage([
          failedRoll('a', 'PodEvictionFailure', 'budget'),
          failedRoll('b', 'NodeCreationFailure', 'no join'),
        ]),
      ),
    ).toThrow(expect.objectContaining({ name: 'NodegroupUpdatesFailed' }));
  });

  it('defers the run for node groups a roll reported Deferred, with the reason it gave', () => {
    expect(() =>
      closeStage(
        stage([
          rolled('apps', 30),
          {
            name: 'batch',
            status: 'Deferred',
            note: 'Node group batch rolling to 1.31 needs about 44 minutes.',
          },
        ]),
      ),
    ).toThrow(
      expect.objectContaining({
        name: 'UpgradeDeferredError',
        message: expect.stringMatching(
          /^Node group batch rolling to 1\.31 needs about 44 minutes\. The others finished: 1 rolled \(apps\)/,
        ),
      }),
    );
  });

  it('defers the run when node groups could not start before the deadline, saying which finished', () => {
    expect(() =>
      closeStage(
        stage([
          rolled('apps', 30),
          failedRoll('batch', 'UpgradeDeferredError', 'Node group batch would end late.'),
        ]),
      ),
    ).toThrow(
      expect.objectContaining({
        name: 'UpgradeDeferredError',
        message: expect.stringContaining('Node group batch would end late.'),
      }),
    );
  });

  it("fails by a name of its own, never Step Functions', Lambda's or the SDK's, naming the cause inside", () => {
    for (const error of [
      'StepFunctions.AccessDeniedException',
      'States.Timeout',
      'Lambda.Unknown',
      'ThrottlingException',
    ]) {
      expect(() =>
        closeStage(stage([{ name: 'apps', failure: { Error: error, Cause: 'not allowed' } }])),
      ).toThrow(
        expect.objectContaining({
          name: 'NodegroupUpdatesFailed',
          message: expect.stringContaining(`node group apps: ${error}: not allowed`),
        }),
      );
    }
  });
});

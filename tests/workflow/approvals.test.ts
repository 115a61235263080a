import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { approveCommand, readHistory } from '../../cli/commands.ts';
import { type LocalAws, operatorAccessKeyId } from '../../local/harness/local-aws.ts';
import { clusterState, mutatingCalls, runWorkflow, seedInput } from './helpers.ts';

// Approvals through the real state machine: the run waits on a task token, a person answers with
// the CLI's own code (eks-upgrade approve) against the simulator, on simulated time.

const executionName = 'workflow-test';

function executionArnOf(aws: LocalAws): string {
  return `${aws.stateMachineArn('UpgradeClusterStateMachine').replace(':stateMachine:', ':execution:')}:${executionName}`;
}

function personClients(aws: LocalAws) {
  const config = {
    endpoint: aws.simulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: operatorAccessKeyId, secretAccessKey: operatorAccessKeyId },
  };
  return { sfn: new SFNClient(config), sts: new STSClient(config) };
}

/**
 * A person who looks every `minutes` of simulated time and answers whatever approval waits,
 * until the run ends. Returns what they answered.
 */
function personAnswering(aws: LocalAws, minutes: number, rejection?: string) {
  const answers: string[] = [];
  let done = false;
  const look = () => {
    if (done) return;
    approveCommand(executionArnOf(aws), personClients(aws), rejection).then(
      (answer) => answers.push(`${answer.decision} by ${answer.by}`),
      () => undefined, // nothing waits yet
    );
    setTimeout(look, minutes * 60_000);
  };
  setTimeout(look, minutes * 60_000);
  return { answers, stop: () => (done = true) };
}

describe('approvals', () => {
  it('before-upgrade: waits for a yes, then upgrades; the history says who approved', async () => {
    let person: ReturnType<typeof personAnswering> | undefined;
    await runWorkflow(
      {
        input: { ...seedInput, approval: 'before-upgrade' },
        before: async (aws) => {
          person = personAnswering(aws, 30);
        },
      },
      ({ execution, aws }) => {
        person?.stop();
        expect(execution.status).toBe('SUCCEEDED');
        expect(person?.answers).toEqual(['approved by arn:aws:iam::123456789012:user/test']);
        const wait = execution.tasks.find((task) => task.state === 'Await Approval');
        expect(wait?.output).toMatchObject({ approvedBy: 'arn:aws:iam::123456789012:user/test' });
        const firstChange = mutatingCalls(aws).find((request) => request.service === 'eks');
        expect((firstChange?.at ?? 0) - execution.startedAt).toBeGreaterThanOrEqual(30 * 60_000);
        const asked = aws.simulator.snapshot().published[0];
        expect(asked?.subject).toContain('waiting for your approval');
        expect(asked?.message).toContain(`eks-upgrade approve ${executionArnOf(aws)}`);
      },
    );
  });

  it('before-upgrade: a rejection ends the run by name, with who and why, before any change', async () => {
    let person: ReturnType<typeof personAnswering> | undefined;
    await runWorkflow(
      {
        input: { ...seedInput, approval: 'before-upgrade' },
        before: async (aws) => {
          person = personAnswering(aws, 10, 'not during the sale');
        },
      },
      ({ execution, aws }) => {
        person?.stop();
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('UpgradeRejectedError');
        expect(execution.cause).toContain('Rejected by arn:aws:iam::123456789012:user/test');
        expect(execution.cause).toContain('not during the sale');
        expect(mutatingCalls(aws).filter((request) => request.service === 'eks')).toEqual([]);
      },
    );
  });

  it('an approval nobody answers ends the run deferred when it times out, with nothing changed', async () => {
    await runWorkflow({ input: { ...seedInput, approval: 'before-upgrade' } }, ({ execution, aws }) => {
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.output).toMatchObject({ deferral: { Error: 'UpgradeDeferredError' } });
      expect(execution.endedAt - execution.startedAt).toBeGreaterThanOrEqual(24 * 3600_000);
      expect(mutatingCalls(aws).filter((request) => request.service === 'eks')).toEqual([]);
    });
  });

  it('a late answer to a wait that timed out is refused as Step Functions refuses it (TaskTimedOut)', async () => {
    await runWorkflow({ input: { ...seedInput, approval: 'before-upgrade' } }, async ({ aws }) => {
      const { sfn } = personClients(aws);
      const scheduled = (await readHistory(sfn, executionArnOf(aws))).find(
        (event) => event.taskScheduledEventDetails?.resource === 'publish.waitForTaskToken',
      );
      const parameters = JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}') as {
        MessageAttributes: { taskToken: { StringValue: string } };
      };
      const late = sfn.send(
        new SendTaskSuccessCommand({
          taskToken: parameters.MessageAttributes.taskToken.StringValue,
          output: JSON.stringify({ approvedBy: 'too late' }),
        }),
      );
      await expect(late).rejects.toMatchObject({ name: 'TaskTimedOut' });
    });
  });

  it('before-each-hop: asks once per control-plane hop, each before its hop starts', async () => {
    let person: ReturnType<typeof personAnswering> | undefined;
    await runWorkflow(
      {
        input: { clusterName: 'ekscluster-eksctl', targetVersion: '1.20', approval: 'before-each-hop' },
        before: async (aws) => {
          person = personAnswering(aws, 20);
        },
      },
      ({ execution, aws }) => {
        person?.stop();
        expect(execution.status).toBe('SUCCEEDED');
        expect(person?.answers).toHaveLength(2);
        expect(clusterState(aws).version).toBe('1.20');
        const asked = aws.simulator
          .snapshot()
          .published.filter((message) => message.subject?.includes('waiting for your approval'));
        expect(asked.map((message) => /hop (\S+ -> \d+\.\d+)/.exec(message.message)?.[1])).toEqual([
          '1.18 -> 1.19',
          '1.19 -> 1.20',
        ]);
      },
    );
  });
});

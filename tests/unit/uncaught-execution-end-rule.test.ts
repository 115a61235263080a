import { describe, expect, it } from 'vitest';
import {
  eventBridgeMayPublish,
  matchesEventPattern,
  transformInput,
} from '../../local/harness/eventbridge.ts';
import { readTemplate } from '../../scripts/template.ts';

const template = readTemplate();
const arnOf = (logicalId: string) =>
  `arn:aws:states:us-east-1:123456789012:stateMachine:eks-upgrade-${logicalId}`;

/** The template's value with each `!Ref` to a state machine replaced by its ARN. */
function resolveRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveRefs);
  if (typeof value !== 'object' || value === null) return value;
  if ('Ref' in value) return arnOf(String(value.Ref));
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveRefs(inner)]));
}

const rule = template.Resources.UncaughtExecutionEndRule?.Properties ?? {};
const pattern = resolveRefs(rule.EventPattern);
const [target] = (rule.Targets ?? []) as Array<{
  Arn: unknown;
  InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
}>;

/** "Step Functions Execution Status Change" as EventBridge delivers it (Step Functions user guide). */
function statusChange(status: string, error?: string, stateMachine = 'UpgradeClusterStateMachine') {
  const stateMachineArn = arnOf(stateMachine);
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:run-1`;
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-25T03:00:00Z',
    region: 'us-east-1',
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn,
      name: 'run-1',
      status,
      startDate: 1_795_000_000_000,
      stopDate: 1_795_000_600_000,
      input: '{}',
      output: null,
      ...(error
        ? { error, cause: 'The state/task returned a result with a size exceeding the maximum' }
        : {}),
    },
  };
}

describe('the rule for executions that end where no Catch runs', () => {
  it.each([
    ['a payload over the limit', statusChange('FAILED', 'States.DataLimitExceeded')],
    ['a history over the limit', statusChange('FAILED', 'States.Runtime')],
    ['a timed-out execution', statusChange('TIMED_OUT')],
    ['a stopped execution', statusChange('ABORTED')],
    ['a fleet execution', statusChange('FAILED', 'States.Runtime', 'UpgradeFleetStateMachine')],
    ['a failure whose event carries no error field', statusChange('FAILED')],
  ])('matches %s', (_, event) => {
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });

  it.each([
    ['a failure the definition reported itself', statusChange('FAILED', 'PodEvictionFailure')],
    ['a success', statusChange('SUCCEEDED')],
    ['another state machine', statusChange('FAILED', 'States.Runtime', 'SomeoneElsesStateMachine')],
  ])('ignores %s', (_, event) => {
    expect(matchesEventPattern(pattern, event)).toBe(false);
  });

  it('sends the notification topic a sentence naming the execution, its end and what to do', () => {
    expect(target?.Arn).toEqual({ Ref: 'NotificationTopic' });
    const message = transformInput(
      target?.InputTransformer ?? { InputPathsMap: {}, InputTemplate: '""' },
      statusChange('FAILED', 'States.DataLimitExceeded'),
    );
    expect(message).toMatch(
      /^EKS upgrade execution run-1 ended FAILED, possibly where the workflow could not report it/,
    );
    expect(message).toContain("its error is in the execution's history");
    expect(message).toContain('a new execution continues from there');
    expect(message).toContain('execution:eks-upgrade-UpgradeClusterStateMachine:run-1');
  });

  it('lets only this rule publish to the topic on EventBridge’s behalf', () => {
    const policy = template.Resources.NotificationTopicPolicy?.Properties?.PolicyDocument as {
      Statement: Array<Record<string, unknown>>;
    };
    const forEventBridge = policy.Statement.filter(
      (statement) =>
        JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
    );
    expect(forEventBridge).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['UncaughtExecutionEndRule', 'Arn'] } } },
      }),
    ]);
  });

  it('reaches the topic only because the topic policy lets EventBridge publish for this rule', () => {
    expect(eventBridgeMayPublish(template.Resources, 'UncaughtExecutionEndRule', 'NotificationTopic')).toBe(
      true,
    );
    expect(eventBridgeMayPublish(template.Resources, 'SomeOtherRule', 'NotificationTopic')).toBe(false);
    expect(eventBridgeMayPublish(template.Resources, 'UncaughtExecutionEndRule', 'AmiReleaseTopic')).toBe(
      false,
    );
    const { NotificationTopicPolicy: _, ...withoutPolicy } = template.Resources;
    expect(eventBridgeMayPublish(withoutPolicy, 'UncaughtExecutionEndRule', 'NotificationTopic')).toBe(false);
  });
});

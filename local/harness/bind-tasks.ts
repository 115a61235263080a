import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { TaskRecord } from '../../report/run-summary.ts';
import { NeverStartedError } from './execution-history.ts';
import type { JSONValue, LambdaRuntime } from './lambda-runtime.ts';

export type { TaskRecord };

export type TaskHandler = (input: JSONValue) => Promise<JSONValue>;

/** Stands between Step Functions and a task's binding, as a fault injector or a meter would. */
export type TaskWrapper = (state: string, run: TaskHandler) => TaskHandler;

/** Runs a child execution for `states:startExecution.sync:2` and resolves with its description. */
export type ChildExecutionStarter = (request: {
  StateMachineArn: string;
  Name: string;
  Input: unknown;
}) => Promise<JSONValue>;

/** The state machine's execution role, as Step Functions uses it for the calls it makes itself. */
export interface StateMachineRole {
  /** Runs AWS calls (SNS publishes) signed with the role's credentials. */
  act<T>(work: () => Promise<T>): Promise<T>;
  /** AWS's denial sentence when the role may not perform the action on the resource; undefined when it may. */
  denial(action: string, resource: string): string | undefined;
  /** The deployed ARN of a template function: what a task's `${XFunctionArn}` resolves to. */
  functionArn(functionId: string): string;
}

export interface TaskBindingOptions {
  record: (task: TaskRecord) => void;
  runtime: LambdaRuntime;
  wrap?: TaskWrapper;
  startChild?: ChildExecutionStarter;
  /** Without it, the tasks run with no IAM check and the environment's credentials. */
  role?: StateMachineRole;
  /** `.waitForTaskToken` tasks: the wait for SendTaskSuccess or SendTaskFailure of the token in their input. */
  taskTokens?: TaskTokenWaits;
}

/** What a `.waitForTaskToken` binding needs of the task tokens (task-tokens.ts). */
export interface TaskTokenWaits {
  /** Waits for the answer to the input's token; after `timeoutSeconds` the token is closed. */
  wait(input: JSONValue, timeoutSeconds: number | undefined): Promise<JSONValue>;
  /** Closes the input's token: the task ended without an answer. */
  close(input: JSONValue): void;
}

/**
 * What `startExecution.sync` needs of the parent's role: start the child, follow and stop it, and the
 * managed EventBridge rule that tells of its end (Step Functions developer guide, "IAM policies for
 * Step Functions": nested workflows, synchronous).
 */
function syncStartNeeds(request: { StateMachineArn: string; Name: string }): Array<[string, string]> {
  const [, partition, , region, account] = request.StateMachineArn.split(':');
  const executionArn = `${request.StateMachineArn.replace(':stateMachine:', ':execution:')}:${request.Name}`;
  const rule = `arn:${partition}:events:${region}:${account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
  return [
    ['states:StartExecution', request.StateMachineArn],
    ['states:DescribeExecution', executionArn],
    ['states:StopExecution', executionArn],
    ['events:PutTargets', rule],
    ['events:PutRule', rule],
    ['events:DescribeRule', rule],
  ];
}

/** The integration's failure when the role may not start or follow the child (error name UNVERIFIED). */
function startDenied(message: string): Error {
  return Object.assign(new Error(message), { name: 'StepFunctions.AccessDeniedException' });
}

/** Step Functions' failure when its role may not invoke the task's function (AWS's wording). */
function invokeDenied(message: string): Error {
  return Object.assign(
    new Error(`${message} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException)`),
    { name: 'Lambda.AWSLambdaException' },
  );
}

/**
 * Binds every Task state of a definition to what AWS would run: `${XFunctionArn}` tasks to the
 * real handler of template.yaml's function X, `sns:publish` tasks to a real SNS client call (which
 * reaches the simulator), and `states:startExecution.sync:2` to a child execution of the engine.
 * Must be called after the AWS endpoint environment points at the simulator.
 */
export async function bindTasks(
  definition: { States: Record<string, unknown> },
  { record, runtime, wrap = (_state, run) => run, startChild, role, taskTokens }: TaskBindingOptions,
): Promise<Record<string, TaskHandler>> {
  const sns = new SNSClient({});
  const sfn = new SFNClient({});
  const bindings: Record<string, TaskHandler> = {};

  /** The sns:publish integration's call, signed as the state machine's role. */
  const publishFrom = async (input: JSONValue): Promise<string | null> => {
    const { TopicArn, Subject, Message, MessageAttributes } = input as {
      TopicArn: string;
      Subject?: string;
      Message: string;
      MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
    };
    const publish = () =>
      sns.send(
        new PublishCommand({
          TopicArn,
          Message,
          ...(Subject ? { Subject } : {}),
          ...(MessageAttributes ? { MessageAttributes } : {}),
        }),
      );
    const result = await (role ? role.act(publish) : publish());
    return result.MessageId ?? null;
  };

  const traced = (state: string, bound: TaskHandler): TaskHandler => {
    const run = wrap(state, bound);
    return async (input) => {
      const startedAt = Date.now();
      try {
        const output = await run(input);
        record({ state, startedAt, endedAt: Date.now(), input, output });
        return output;
      } catch (error) {
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        if (!(error instanceof NeverStartedError))
          record({ state, startedAt, endedAt: Date.now(), input, error: { name, message } });
        throw error;
      }
    };
  };

  for (const [state, resource, timeoutSeconds] of taskResources(definition)) {
    const functionId = /^\$\{(\w+Function)Arn\}$/.exec(resource)?.[1];
    if (functionId) {
      if (!runtime.has(functionId))
        throw new Error(`State ${state} calls ${functionId}, which template.yaml does not define.`);
      await runtime.load(functionId);
      bindings[state] = traced(state, async (input) => {
        const denial = role?.denial('lambda:InvokeFunction', role.functionArn(functionId));
        if (denial) throw invokeDenied(denial);
        return runtime.invoke(functionId, input);
      });
    } else if (resource === 'arn:aws:states:::sns:publish') {
      bindings[state] = traced(state, async (input) => ({ MessageId: await publishFrom(input) }));
    } else if (resource === 'arn:aws:states:::sns:publish.waitForTaskToken' && taskTokens) {
      // Publishes the message (which carries the token), then waits for the answer to its token.
      bindings[state] = traced(state, async (input) => {
        const answer = taskTokens.wait(input, timeoutSeconds);
        try {
          await publishFrom(input);
        } catch (error) {
          taskTokens.close(input);
          throw error;
        }
        return answer;
      });
    } else if (resource === 'arn:aws:states:::aws-sdk:sfn:describeExecution') {
      // An AWS SDK integration: the API's answer, field names in PascalCase as Step Functions gives them.
      bindings[state] = traced(state, async (input) => {
        const { ExecutionArn } = input as { ExecutionArn: string };
        const describe = () => sfn.send(new DescribeExecutionCommand({ executionArn: ExecutionArn }));
        const answer = await (role ? role.act(describe) : describe());
        return Object.fromEntries(
          Object.entries(answer)
            .filter(([key, value]) => key !== '$metadata' && value !== undefined)
            .map(([key, value]) => [
              `${key.charAt(0).toUpperCase()}${key.slice(1)}`,
              (value instanceof Date ? value.toISOString() : value) as JSONValue,
            ]),
        );
      });
    } else if (resource === 'arn:aws:states:::states:startExecution.sync:2' && startChild) {
      bindings[state] = traced(state, async (input) => {
        const request = input as { StateMachineArn: string; Name: string; Input: unknown };
        const denial = syncStartNeeds(request).reduce<string | undefined>(
          (found, [action, resource]) => found ?? role?.denial(action, resource),
          undefined,
        );
        if (denial) throw startDenied(denial);
        return startChild(request);
      });
    } else {
      throw new Error(`State ${state} uses ${resource}, which the local runner cannot bind.`);
    }
  }
  return bindings;
}

function taskResources(machine: unknown): Array<[string, string, number | undefined]> {
  if (typeof machine !== 'object' || machine === null || !('States' in machine)) return [];
  return Object.entries(machine.States as Record<string, Record<string, unknown>>).flatMap(
    ([name, state]) => [
      ...(state.Type === 'Task'
        ? [
            [
              name,
              String(state.Resource),
              typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined,
            ] as [string, string, number | undefined],
          ]
        : []),
      ...taskResources(state.ItemProcessor ?? state.Iterator),
      ...((state.Branches as unknown[] | undefined) ?? []).flatMap(taskResources),
    ],
  );
}

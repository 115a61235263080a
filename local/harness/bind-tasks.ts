import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { readTemplate, templateFunctions } from '../../scripts/template.ts';

/** What the runner sees of each task invocation, for progress and counting. */
export interface TaskRecord {
  state: string;
  startedAt: number;
  endedAt: number;
  input: unknown;
  output?: unknown;
  error?: { name: string; message: string };
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;
/** JSON in, JSON out: what a Lambda task exchanges with Step Functions. */
type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };
export type TaskHandler = (input: JSONValue) => Promise<JSONValue>;

/** Stands between Step Functions and a task's binding, as a fault injector or a meter would. */
export type TaskWrapper = (state: string, run: TaskHandler) => TaskHandler;

/** A Lambda error as Step Functions reports it: Error is the errorType, Cause the JSON of the error. */
class LambdaFunctionError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

function lambdaContext(functionName: string, requestNumber: number) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${requestNumber}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Binds every Task state of a definition to what AWS would run: `${XFunctionArn}` tasks to the
 * real handler of template.yaml's function X (payloads JSON-serialized as Lambda does), and
 * `sns:publish` tasks to a real SNS client call (which reaches the simulator).
 * Must be called after the AWS endpoint environment points at the simulator; `coldStart` names
 * the module instances, as each deployment's Lambda containers build their own clients.
 */
export async function bindTasks(
  definition: { States: Record<string, unknown> },
  record: (task: TaskRecord) => void,
  coldStart: string,
  wrap: TaskWrapper = (_state, run) => run,
): Promise<Record<string, TaskHandler>> {
  const entryPoints = new Map(templateFunctions(readTemplate()).map((fn) => [fn.logicalId, fn.entryPoint]));
  const sns = new SNSClient({});
  const bindings: Record<string, TaskHandler> = {};
  let requestNumber = 0;

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
        record({ state, startedAt, endedAt: Date.now(), input, error: { name, message } });
        throw error;
      }
    };
  };

  for (const [state, resource] of taskResources(definition)) {
    const functionId = /^\$\{(\w+)Arn\}$/.exec(resource)?.[1];
    if (functionId) {
      const entryPoint = entryPoints.get(functionId);
      if (!entryPoint)
        throw new Error(`State ${state} calls ${functionId}, which template.yaml does not define.`);
      // A fresh module instance per cold start: its SDK clients are built against this run's endpoint.
      const url = `${pathToFileURL(resolve(entryPoint)).href}?cold-start=${coldStart}`;
      const module = (await import(url)) as { handler: LambdaHandler };
      bindings[state] = traced(state, async (input) => {
        requestNumber += 1;
        try {
          const output = await module.handler(
            JSON.parse(JSON.stringify(input)),
            lambdaContext(functionId, requestNumber),
          );
          return JSON.parse(JSON.stringify(output ?? null)) as JSONValue;
        } catch (error) {
          const { name, message } = error instanceof Error ? error : new Error(String(error));
          throw new LambdaFunctionError(name, JSON.stringify({ errorType: name, errorMessage: message }));
        }
      });
    } else if (resource === 'arn:aws:states:::sns:publish') {
      bindings[state] = traced(state, async (input) => {
        const { TopicArn, Subject, Message } = input as {
          TopicArn: string;
          Subject?: string;
          Message: string;
        };
        const result = await sns.send(
          new PublishCommand({ TopicArn, Message, ...(Subject ? { Subject } : {}) }),
        );
        return { MessageId: result.MessageId ?? null };
      });
    } else {
      throw new Error(`State ${state} uses ${resource}, which the local runner cannot bind.`);
    }
  }
  return bindings;
}

function taskResources(machine: unknown): Array<[string, string]> {
  if (typeof machine !== 'object' || machine === null || !('States' in machine)) return [];
  return Object.entries(machine.States as Record<string, Record<string, unknown>>).flatMap(
    ([name, state]) => [
      ...(state.Type === 'Task' ? [[name, String(state.Resource)] as [string, string]] : []),
      ...taskResources(state.ItemProcessor ?? state.Iterator),
      ...((state.Branches as unknown[] | undefined) ?? []).flatMap(taskResources),
    ],
  );
}

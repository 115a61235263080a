import { ApiError } from './model.ts';
import type { IncomingRequest, Reply, RoutedRequest } from './wire.ts';

// Step Functions (awsJson1_0: POST /, X-Amz-Target: AWSStepFunctions.<Operation>). The simulator
// only speaks the wire protocol; running executions is the backend's job (the local engine, which
// runs the real definitions), so the simulator stays free of the product's code.

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** Simulated ms. */
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Simulated ms. */
  timestamp: number;
  type: string;
  details?: Record<string, unknown>;
}

/** Runs executions for the simulator's StartExecution; throws ApiError for AWS's refusals. */
export interface StepFunctionsBackend {
  startExecution(request: { stateMachineArn: string; name: string; input: string }): ExecutionDescription;
  describeExecution(executionArn: string): ExecutionDescription;
  getExecutionHistory(executionArn: string): HistoryEvent[];
}

/** Where each history event type keeps its details in GetExecutionHistory's answer. */
const detailsKey: Record<string, string> = {
  ExecutionStarted: 'executionStartedEventDetails',
  ExecutionSucceeded: 'executionSucceededEventDetails',
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  TaskStateEntered: 'stateEnteredEventDetails',
  TaskStateExited: 'stateExitedEventDetails',
  TaskFailed: 'taskFailedEventDetails',
};

const seconds = (ms: number) => ms / 1000;

function reply(status: number, body: unknown, errorCode?: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(body),
    ...(errorCode ? { errorCode } : {}),
  };
}

function describe(execution: ExecutionDescription): Record<string, unknown> {
  return {
    ...execution,
    startDate: seconds(execution.startDate),
    ...(execution.stopDate === undefined ? {} : { stopDate: seconds(execution.stopDate) }),
  };
}

export function routeSfn(
  request: IncomingRequest,
  target: string,
  backend: StepFunctionsBackend | undefined,
): RoutedRequest {
  const operation = target.split('.')[1] ?? target;
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(request.body || '{}');
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = {};
  }
  const text = (key: string) => (typeof body[key] === 'string' ? body[key] : '');
  return {
    service: 'sfn',
    operation,
    mutating: operation === 'StartExecution' || operation === 'StopExecution',
    params: body,
    run: () => {
      if (!backend)
        throw new ApiError('UnknownOperationException', 400, 'This simulator runs no Step Functions');
      switch (operation) {
        case 'StartExecution': {
          const started = backend.startExecution({
            stateMachineArn: text('stateMachineArn'),
            name: text('name'),
            input: text('input') || '{}',
          });
          return reply(200, { executionArn: started.executionArn, startDate: seconds(started.startDate) });
        }
        case 'DescribeExecution':
          return reply(200, describe(backend.describeExecution(text('executionArn'))));
        case 'GetExecutionHistory':
          return reply(200, {
            events: backend.getExecutionHistory(text('executionArn')).map(({ details, ...event }) => ({
              ...event,
              timestamp: seconds(event.timestamp),
              ...(details ? { [detailsKey[event.type] ?? 'details']: details } : {}),
            })),
          });
        default:
          throw new ApiError('UnknownOperationException', 400, `Operation ${operation} is not simulated`);
      }
    },
    renderError: (error: ApiError) =>
      reply(error.status, { __type: error.code, message: error.message }, error.code),
  };
}

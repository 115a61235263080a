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
  /** The whole history so far, oldest first; paging is the simulator's. */
  getExecutionHistory(executionArn: string): HistoryEvent[];
  /** A state machine's executions, newest first. */
  listExecutions(stateMachineArn: string): ExecutionDescription[];
  /** SendTaskSuccess / SendTaskFailure: the answer a `.waitForTaskToken` task waits for. */
  answerTask(token: string, result: { output: string } | { error: string; cause: string }): void;
}

/** Where each history event type keeps its details in GetExecutionHistory's answer (the SDK's names). */
function detailsKeyOf(type: string): string | undefined {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  const key = {
    ExecutionStarted: 'executionStartedEventDetails',
    ExecutionSucceeded: 'executionSucceededEventDetails',
    ExecutionFailed: 'executionFailedEventDetails',
    ExecutionAborted: 'executionAbortedEventDetails',
    ExecutionTimedOut: 'executionTimedOutEventDetails',
    LambdaFunctionScheduled: 'lambdaFunctionScheduledEventDetails',
    LambdaFunctionSucceeded: 'lambdaFunctionSucceededEventDetails',
    LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
    LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
    TaskScheduled: 'taskScheduledEventDetails',
    TaskStarted: 'taskStartedEventDetails',
    TaskSubmitted: 'taskSubmittedEventDetails',
    TaskSucceeded: 'taskSucceededEventDetails',
    TaskFailed: 'taskFailedEventDetails',
    TaskTimedOut: 'taskTimedOutEventDetails',
    MapStateStarted: 'mapStateStartedEventDetails',
    MapIterationStarted: 'mapIterationStartedEventDetails',
    MapIterationSucceeded: 'mapIterationSucceededEventDetails',
    MapIterationFailed: 'mapIterationFailedEventDetails',
    MapIterationAborted: 'mapIterationAbortedEventDetails',
    MapRunStarted: 'mapRunStartedEventDetails',
    MapRunFailed: 'mapRunFailedEventDetails',
  }[type];
  return key;
}

/** What `includeExecutionData: false` leaves out: the input or output an event carries. */
const executionData = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

const defaultPageSize = 100;
const maxPageSize = 1000;

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
    inputDetails: { included: true },
    ...(execution.output === undefined ? {} : { outputDetails: { included: true } }),
    redriveCount: 0,
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
  const flag = (key: string) => body[key] === true;
  return {
    service: 'sfn',
    operation,
    mutating: /^(StartExecution|StopExecution|SendTask)/.test(operation),
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
        case 'GetExecutionHistory': {
          const executionArn = text('executionArn');
          const all = backend.getExecutionHistory(executionArn);
          const ordered = flag('reverseOrder') ? [...all].reverse() : all;
          const { items, nextToken } = page(ordered, body, `history:${executionArn}:${flag('reverseOrder')}`);
          const withData = body.includeExecutionData !== false;
          return reply(200, {
            events: items.map(({ details, ...event }) => {
              const key = detailsKeyOf(event.type);
              const kept = details && !withData ? withoutExecutionData(details) : details;
              return {
                ...event,
                timestamp: seconds(event.timestamp),
                ...(kept && key ? { [key]: kept } : {}),
              };
            }),
            ...(nextToken ? { nextToken } : {}),
          });
        }
        case 'ListExecutions': {
          const stateMachineArn = text('stateMachineArn');
          const status = text('statusFilter');
          const executions = backend
            .listExecutions(stateMachineArn)
            .filter((execution) => !status || execution.status === status);
          const { items, nextToken } = page(executions, body, `executions:${stateMachineArn}:${status}`);
          return reply(200, {
            executions: items.map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({
              executionArn,
              stateMachineArn,
              name,
              status,
              startDate: seconds(startDate),
              ...(stopDate === undefined ? {} : { stopDate: seconds(stopDate) }),
            })),
            ...(nextToken ? { nextToken } : {}),
          });
        }
        case 'SendTaskSuccess':
          backend.answerTask(text('taskToken'), { output: text('output') });
          return reply(200, {});
        case 'SendTaskFailure':
          backend.answerTask(text('taskToken'), { error: text('error'), cause: text('cause') });
          return reply(200, {});
        default:
          throw new ApiError('UnknownOperationException', 400, `Operation ${operation} is not simulated`);
      }
    },
    renderError: (error: ApiError) =>
      reply(error.status, { __type: error.code, message: error.message }, error.code),
  };
}

function withoutExecutionData(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => !executionData.has(key)));
}

/**
 * One page of a listing: `maxResults` (0 or absent = 100, at most 1000) from where `nextToken` says.
 * The token is opaque to callers and names the listing it came from, so a token of another listing,
 * or a made-up one, is refused with InvalidToken as AWS refuses an expired or foreign token.
 */
function page<T>(
  items: T[],
  body: Record<string, unknown>,
  listing: string,
): { items: T[]; nextToken?: string } {
  const requested = body.maxResults === undefined ? 0 : Number(body.maxResults);
  if (!Number.isInteger(requested) || requested < 0 || requested > maxPageSize) {
    throw new ApiError(
      'ValidationException',
      400,
      `1 validation error detected: Value '${String(body.maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${maxPageSize}`,
    );
  }
  const size = requested || defaultPageSize;
  let start = 0;
  if (typeof body.nextToken === 'string') {
    const position = positionIn(body.nextToken, listing);
    if (position === undefined || position > items.length)
      throw new ApiError('InvalidToken', 400, `Invalid Token: '${body.nextToken}'`);
    start = position;
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: tokenFor(listing, end) } : {}),
  };
}

function tokenFor(listing: string, position: number): string {
  return Buffer.from(JSON.stringify({ listing, position })).toString('base64url');
}

function positionIn(token: string, listing: string): number | undefined {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof decoded !== 'object' || decoded === null) return undefined;
    const { listing: from, position } = decoded as { listing?: unknown; position?: unknown };
    return from === listing && typeof position === 'number' && Number.isInteger(position) && position >= 0
      ? position
      : undefined;
  } catch {
    return undefined;
  }
}

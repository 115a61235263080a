import { AsyncLocalStorage } from 'node:async_hooks';
import { StateMachine } from 'aws-local-stepfunctions';
import type { HistoryEvent } from '../simulator/index.ts';

/** Step Functions Standard: a hard quota of 25,000 events per execution history. */
export const historyEventLimit = 25_000;
/** Largest input, output or task result a state may carry: 256 KiB of UTF-8. */
export const payloadLimitBytes = 262_144;

/** How an execution ended on a quota: AWS's own error and cause, which no Catch sees. */
export interface QuotaFailure {
  error: 'States.Runtime' | 'States.DataLimitExceeded';
  cause: string;
}

type Details = Record<string, unknown>;

interface StateDefinition {
  Type?: string;
  Resource?: string;
  ItemsPath?: string;
  ItemProcessor?: { ProcessorConfig?: { Mode?: string } };
}

interface Definition {
  States: Record<string, StateDefinition>;
}

interface EngineEvent {
  type: string;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
}

/** The state a frame is in, with what its later events follow from. */
interface CurrentState {
  name: string;
  type: string;
  enteredId: number;
  failed: boolean;
  /** A Map's MapStateStarted (or MapRunStarted), which each iteration's first event follows. */
  mapStartedId?: number;
  iterationsStarted?: number;
  distributed?: boolean;
  /** An iteration of this Map failed: the Map fails, and no queued iteration starts. */
  iterationFailed?: boolean;
}

/**
 * One sequential run of states: the execution itself, or one iteration of a Map. Each keeps its own
 * chain of previousEventId, so the events of parallel iterations follow their own iteration's.
 */
interface Frame {
  history: ExecutionHistory;
  definition: Definition;
  last: number;
  parent?: Frame;
  iteration?: { map: string; index: number };
  /** A Distributed Map iteration: a child workflow execution with a history of its own. */
  childWorkflow?: boolean;
  current?: CurrentState;
  /** The task attempt in flight: its end is written once, by whichever comes first. */
  attempt?: { lambda: boolean; integration: Details; ended: boolean };
  closed: boolean;
  /** A Map iteration the local engine starts after a sibling failed, which AWS never starts. */
  neverStarted?: boolean;
}

interface Scope {
  history: ExecutionHistory;
  frame?: Frame;
}

const scopes = new AsyncLocalStorage<Scope>();
/** Engine events already taken at their source (the engine forwards each up through every parent). */
const seen = new WeakSet<object>();

/** A task of a Map iteration AWS never starts (a sibling failed the Map): nothing runs or is recorded. */
export class NeverStartedError extends Error {
  constructor(state: string) {
    super(`A sibling iteration failed its Map: ${state} never runs in AWS.`);
    this.name = 'NeverStartedError';
  }
}

/**
 * Runs a Task state's work so that its Lambda (or service integration) events land in the history,
 * and the iteration, that runs it. Outside a recorded execution the work runs unrecorded.
 */
export function recordedTask<T>(state: string, input: unknown, work: () => Promise<T>): Promise<T> {
  const frame = scopes.getStore()?.frame;
  if (frame?.neverStarted) return Promise.reject(new NeverStartedError(state));
  if (!frame || frame.closed) return work();
  return frame.history.recordTask(frame, state, input, work);
}

/**
 * An execution's history as Step Functions writes it, fed by the engine as things happen: ids from 1,
 * each event's previousEventId, the event types and details GetExecutionHistory returns, and the
 * quotas that end an execution without any Catch seeing it.
 */
export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  maxPayloadBytes = 0;
  failure: QuotaFailure | undefined;
  /** Called once when a quota ends the execution: the runner stops the engine. */
  onQuotaFailure: ((failure: QuotaFailure) => void) | undefined;
  private closed = false;
  private rootLast = 0;

  constructor(
    private readonly options: {
      now: () => number;
      executionArn: string;
      roleArn: string;
      region: string;
      /** An execution's Distributed Map child workflows keep their own histories. */
      childHistory?: () => ExecutionHistory;
    },
  ) {}

  /** Runs `start` (which starts the engine) so that everything the engine does writes here. */
  record<T>(start: () => T): T {
    installEngineHook();
    return scopes.run({ history: this }, start);
  }

  /** StopExecution: the execution ends ABORTED. */
  abort(): void {
    this.append(undefined, 'ExecutionAborted', {}, this.rootLast, true);
  }

  /** One task attempt in `frame`: its scheduling, start and end events around `work`. */
  async recordTask<T>(frame: Frame, state: string, input: unknown, work: () => Promise<T>): Promise<T> {
    const resource = frame.definition.States[state]?.Resource ?? '';
    const lambda = resource.startsWith('arn:aws:lambda:');
    const [resourceType = '', operation = ''] = resource.replace('arn:aws:states:::', '').split(':');
    const integration = { resourceType, resource: resource.replace(`arn:aws:states:::${resourceType}:`, '') };
    const text = json(input);
    // Over the quota the execution has already failed: the function is never invoked.
    if (!this.withinPayloadLimit(frame, state, text, 'input'))
      throw Object.assign(new Error(this.failure?.cause ?? ''), { name: 'States.DataLimitExceeded' });
    if (lambda) {
      this.step(frame, 'LambdaFunctionScheduled', { resource, input: text, inputDetails: untruncated });
      this.step(frame, 'LambdaFunctionStarted');
    } else {
      this.step(frame, 'TaskScheduled', {
        ...integration,
        region: this.options.region,
        parameters: text,
      });
      this.step(frame, 'TaskStarted', integration);
      if (operation.startsWith('startExecution.sync')) {
        const { StateMachineArn = '', Name = '' } = input as { StateMachineArn?: string; Name?: string };
        this.step(frame, 'TaskSubmitted', {
          ...integration,
          output: json({
            ExecutionArn: `${StateMachineArn.replace(':stateMachine:', ':execution:')}:${Name}`,
            StartDate: this.options.now(),
          }),
          outputDetails: untruncated,
        });
      }
    }
    const attempt = { lambda, integration, ended: false };
    frame.attempt = attempt;
    // A late end (after the engine gave up on TimeoutSeconds, or after the execution ended) is dropped.
    const current = () => !frame.closed && !attempt.ended && frame.attempt === attempt;
    try {
      const result = await work();
      if (!current()) return result;
      attempt.ended = true;
      const output = json(result);
      if (this.withinPayloadLimit(frame, state, output, 'result')) {
        if (lambda) this.step(frame, 'LambdaFunctionSucceeded', { output, outputDetails: untruncated });
        else this.step(frame, 'TaskSucceeded', { ...integration, output, outputDetails: untruncated });
      }
      return result;
    } catch (error) {
      if (current()) {
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        this.attemptFailed(frame, name, message);
      }
      throw error;
    }
  }

  /** Ends the attempt in flight with the event its failure writes. */
  private attemptFailed(frame: Frame, error: string, cause: string): void {
    const attempt = frame.attempt;
    if (!attempt || attempt.ended) return;
    attempt.ended = true;
    const details = { error, cause };
    const timedOut = error === 'States.Timeout';
    if (attempt.lambda)
      this.step(frame, timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', details);
    else this.step(frame, timedOut ? 'TaskTimedOut' : 'TaskFailed', { ...attempt.integration, ...details });
  }

  /** Opens the execution's own frame, or a Map iteration's inside `parent`. */
  openFrame(definition: Definition, parent: Frame | undefined): Frame {
    if (!parent) return { history: this, definition, last: 0, closed: false };
    const map = parent.current;
    const index = map?.iterationsStarted ?? 0;
    if (map) map.iterationsStarted = index + 1;
    const childWorkflow = map?.distributed === true && this.options.childHistory !== undefined;
    // The local engine still starts iterations that were queued when a sibling failed, even once
    // the execution has moved past the Map; AWS starts none.
    const mapEnded = map !== undefined && map.type !== 'Map' && map.type !== 'Parallel';
    if (mapEnded || (map?.iterationFailed && !map.distributed)) {
      return { history: this, definition, last: 0, parent, closed: true, neverStarted: true };
    }
    return {
      history: childWorkflow && this.options.childHistory ? this.options.childHistory() : this,
      definition,
      last: childWorkflow ? 0 : (map?.mapStartedId ?? parent.last),
      parent,
      iteration: { map: map?.name ?? '', index },
      childWorkflow,
      closed: false,
    };
  }

  /** Translates one engine event of one frame into the events AWS writes for it. */
  engineEvent(frame: Frame, event: EngineEvent): void {
    // The engine forwards an iteration's events to its parent's log too: take each once, at its source.
    if (seen.has(event) || event.type.startsWith('MapIteration') || event.type.startsWith('ParallelBranch'))
      return;
    seen.add(event);
    if (frame.closed) return;
    const iteration = frame.childWorkflow ? undefined : frame.iteration;
    const iterationDetails = iteration && { name: iteration.map, index: iteration.index };
    switch (event.type) {
      case 'ExecutionStarted':
        if (iterationDetails) this.step(frame, 'MapIterationStarted', iterationDetails);
        else {
          const input = json(event.input);
          this.withinPayloadLimit(frame, undefined, input, 'input');
          this.step(frame, 'ExecutionStarted', {
            input,
            inputDetails: untruncated,
            roleArn: this.options.roleArn,
          });
        }
        return;
      case 'ExecutionSucceeded':
        if (iterationDetails) this.endIteration(frame, 'MapIterationSucceeded', iterationDetails);
        else {
          const output = json(event.output);
          if (this.withinPayloadLimit(frame, undefined, output, 'output'))
            this.step(frame, 'ExecutionSucceeded', { output, outputDetails: untruncated });
          frame.closed = true;
        }
        return;
      case 'ExecutionFailed':
        if (iterationDetails) this.endIteration(frame, 'MapIterationFailed', iterationDetails);
        else {
          this.step(frame, 'ExecutionFailed', failureDetails(event));
          frame.closed = true;
        }
        return;
      case 'ExecutionAborted':
        if (iterationDetails) this.endIteration(frame, 'MapIterationAborted', iterationDetails);
        frame.closed = true;
        return;
      case 'StateEntered':
        this.enterState(frame, event);
        return;
      case 'StateFailed':
        // The engine's own TimeoutSeconds: the invocation may still run, but Step Functions moves on.
        if (frame.current?.type === 'Task') {
          const { cause } = failureDetails(event);
          this.attemptFailed(frame, event.Error ?? 'Unknown', String(cause));
        }
        if (frame.current?.type === 'Map') {
          frame.current.failed = true;
          this.mapEnded(frame, false);
        }
        return;
      case 'StateExited':
        this.exitState(frame, event);
        return;
      default:
        // StateRetried and StateCaught write nothing of their own: the retry's Lambda events and
        // the TaskStateExited after a Catch are the history's record of them.
        return;
    }
  }

  private enterState(frame: Frame, event: EngineEvent): void {
    const state = event.state;
    if (!state) return;
    const input = json(state.input);
    if (!this.withinPayloadLimit(frame, state.name, input, 'input')) return;
    const enteredId = this.step(frame, `${state.type}StateEntered`, {
      name: state.name,
      input,
      inputDetails: untruncated,
    });
    frame.current = { name: state.name, type: state.type, enteredId, failed: false };
    if (state.type !== 'Map') return;
    const definition = frame.definition.States[state.name];
    const length = itemsAt(definition?.ItemsPath ?? '$', state.input)?.length ?? 0;
    const startedId = this.step(frame, 'MapStateStarted', { length });
    frame.current.iterationsStarted = 0;
    frame.current.mapStartedId = startedId;
    if (definition?.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      frame.current.distributed = true;
      frame.current.mapStartedId = this.step(frame, 'MapRunStarted', {
        mapRunArn: `${this.options.executionArn.replace(':execution:', ':mapRun:')}/${state.name}`,
      });
    }
  }

  private exitState(frame: Frame, event: EngineEvent): void {
    const state = event.state;
    if (!state || state.type === 'Fail') return;
    if (state.type === 'Map' && !frame.current?.failed) this.mapEnded(frame, true);
    const output = json(state.output);
    if (!this.withinPayloadLimit(frame, state.name, output, 'output')) return;
    this.step(frame, `${state.type}StateExited`, { name: state.name, output, outputDetails: untruncated });
  }

  private mapEnded(frame: Frame, succeeded: boolean): void {
    if (frame.current?.distributed) this.step(frame, succeeded ? 'MapRunSucceeded' : 'MapRunFailed');
    this.step(frame, succeeded ? 'MapStateSucceeded' : 'MapStateFailed');
  }

  /** An iteration's last event, which its Map's next event follows from. */
  private endIteration(frame: Frame, type: string, details: Details): void {
    const id = this.step(frame, type, details);
    frame.closed = true;
    if (frame.parent && id > 0 && !chainKeeping.has(type)) frame.parent.last = id;
  }

  /** Appends an event that follows the frame's last one; 0 when the history has ended. */
  private step(frame: Frame, type: string, details?: Details): number {
    const id = this.append(frame, type, details, frame.last);
    if (id > 0 && !chainKeeping.has(type)) frame.last = id;
    return id;
  }

  private append(
    frame: Frame | undefined,
    type: string,
    details: Details | undefined,
    previousEventId: number,
    ending = false,
  ): number {
    if (this.closed) return 0;
    // At 24,999 events the next one must end the execution, and only success is let through.
    if (!ending && this.events.length === historyEventLimit - 1 && type !== 'ExecutionSucceeded') {
      this.fail(
        {
          error: 'States.Runtime',
          cause: `The execution reached the maximum number of history events (${historyEventLimit}).`,
        },
        this.events.length,
      );
      return 0;
    }
    const id = this.events.length + 1;
    this.events.push({
      id,
      previousEventId,
      timestamp: this.options.now(),
      type,
      ...(details ? { details } : {}),
    });
    if (!frame?.parent) this.rootLast = id;
    if (/^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(type)) this.closed = true;
    return id;
  }

  /** Measures a payload; over the quota, fails the execution as AWS does and answers false. */
  private withinPayloadLimit(frame: Frame, state: string | undefined, text: string, what: string): boolean {
    const bytes = Buffer.byteLength(text, 'utf8');
    this.maxPayloadBytes = Math.max(this.maxPayloadBytes, bytes);
    if (bytes <= payloadLimitBytes) return true;
    const subject = state ? `The state/task '${state}'` : 'The execution';
    this.fail(
      {
        error: 'States.DataLimitExceeded',
        cause:
          what === 'input'
            ? `${subject} received an input with a size exceeding the maximum number of bytes service limit.`
            : `${subject} returned a result with a size exceeding the maximum number of bytes service limit.`,
      },
      frame.history === this ? frame.last : this.rootLast,
    );
    return false;
  }

  private fail(failure: QuotaFailure, previousEventId: number): void {
    if (this.closed) return;
    this.failure = failure;
    this.append(undefined, 'ExecutionFailed', { ...failure }, previousEventId, true);
    this.closed = true;
    this.onQuotaFailure?.(failure);
  }
}

const untruncated = { truncated: false };

/** Events the next event does not follow from: it follows the one before them (see README). */
const chainKeeping = new Set(['MapStateSucceeded', 'MapRunSucceeded', 'MapIterationFailed']);

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function failureDetails(event: EngineEvent): Details {
  const cause = event.Cause;
  return {
    error: event.Error ?? 'Unknown',
    cause: typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : json(cause),
  };
}

/** The items a Map's `ItemsPath` (`$` or `$.a.b`) selects from its input. */
function itemsAt(path: string, input: unknown): unknown[] | undefined {
  let value = input;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return Array.isArray(value) ? value : undefined;
}

let hooked = false;

/**
 * aws-local-stepfunctions tells what happens through one event log per (sub-)execution and forwards
 * a Map iteration's events to its parent's log later and with the outer index. To keep the order in
 * which things happened and which iteration each event belongs to, every (sub-)execution's log is
 * heard at its source: `execute` is where the engine hands a run its logger.
 */
function installEngineHook(): void {
  if (hooked) return;
  hooked = true;
  type Execute = (
    this: { definition: Definition },
    input: unknown,
    options: { eventLogger: Logger },
    cleanup: unknown,
  ) => Promise<unknown>;
  interface Logger {
    dispatch(event: EngineEvent): void;
  }
  const prototype = StateMachine.prototype as unknown as { execute: Execute };
  const original = prototype.execute;
  prototype.execute = function (input, options, cleanup) {
    const scope = scopes.getStore();
    if (!scope) return original.call(this, input, options, cleanup);
    const { history } = scope;
    const frame = history.openFrame(this.definition, scope.frame);
    const logger = options.eventLogger;
    const dispatch = logger.dispatch.bind(logger);
    logger.dispatch = (event) => {
      frame.history.engineEvent(frame, event);
      dispatch(event);
    };
    const running = scopes.run({ history, frame }, () => original.call(this, input, options, cleanup));
    // Marked as the iteration fails, before the engine's Map starts the next queued one.
    const map = frame.iteration ? frame.parent?.current : undefined;
    if (map)
      running.catch(() => {
        map.iterationFailed = true;
      });
    return running;
  };
}

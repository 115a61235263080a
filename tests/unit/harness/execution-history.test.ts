import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  ExecutionHistory,
  historyEventLimit,
  payloadLimitBytes,
  type QuotaFailure,
  recordedTask,
} from '../../../local/harness/execution-history.ts';
import { VirtualTime } from '../../../local/harness/virtual-time.ts';

const lambda = 'arn:aws:lambda:us-east-1:123456789012:function:work';

/** A Task that fails once and is retried, a Choice, a Wait and a Map of three Pass iterations, one at a time. */
const definition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: lambda,
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Next: 'Ready?',
    },
    'Ready?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.ready', BooleanEquals: true, Next: 'Pause' }],
      Default: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 5, Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } },
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

interface Run {
  history: ExecutionHistory;
  failures: QuotaFailure[];
  status: 'SUCCEEDED' | 'FAILED' | 'STOPPED';
}

/** Runs a definition on the engine with its tasks bound the way the local runner binds them. */
async function run(
  machine: StateMachineDefinition,
  input: unknown,
  handlers: Record<string, (input: unknown) => Promise<unknown>>,
  childWorkflows?: ExecutionHistory[],
): Promise<Run> {
  const failures: QuotaFailure[] = [];
  const common = {
    now: () => Date.now(),
    roleArn: 'arn:aws:iam::123456789012:role/machine',
    region: 'us-east-1',
  };
  let stop: () => void = () => undefined;
  const history = new ExecutionHistory({
    ...common,
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:machine:run-1',
    ...(childWorkflows && {
      childHistory: () => {
        const child = new ExecutionHistory({ ...common, executionArn: 'child' });
        childWorkflows.push(child);
        return child;
      },
    }),
  });
  history.onQuotaFailure = (failure) => {
    failures.push(failure);
    stop();
  };
  const bound = Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      (payload: unknown) => recordedTask(state, payload, () => handler(payload)) as never,
    ]),
  );
  const execution = history.record(() =>
    new StateMachine(machine).run(input as never, {
      overrides: {
        taskResourceLocalHandlers: bound,
        waitTimeOverrides: { Pause: 0 },
        retryIntervalOverrides: { Work: 0 },
      },
      noThrowOnAbort: true,
    }),
  );
  stop = () => execution.abort();
  const status = await execution.result.then(
    () => (failures.length > 0 ? ('STOPPED' as const) : ('SUCCEEDED' as const)),
    () => 'FAILED' as const,
  );
  return { history, failures, status };
}

function flaky(): (input: unknown) => Promise<unknown> {
  let calls = 0;
  return async (input) => {
    calls += 1;
    if (calls === 1) throw Object.assign(new Error('try again'), { name: 'Flaky' });
    return input;
  };
}

describe('ExecutionHistory', () => {
  it('writes the events AWS writes for a retried Lambda task, a Choice, a Wait and a Map of three', async () => {
    const { history, status } = await run(definition, { ready: true, items: [1, 2, 3] }, { Work: flaky() });
    expect(status).toBe('SUCCEEDED');
    expect(history.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'MapIterationStarted',
      'PassStateEntered',
      'PassStateExited',
      'MapIterationSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('numbers events from 1 and names the function, the failure and each iteration', async () => {
    const { history } = await run(definition, { ready: true, items: [1, 2, 3] }, { Work: flaky() });
    expect(history.events.map((event) => event.id)).toEqual(history.events.map((_, index) => index + 1));
    expect(history.events.find((event) => event.type === 'LambdaFunctionScheduled')?.details).toMatchObject({
      resource: lambda,
      input: JSON.stringify({ ready: true, items: [1, 2, 3] }),
    });
    expect(history.events.find((event) => event.type === 'LambdaFunctionFailed')?.details).toEqual({
      error: 'Flaky',
      cause: 'try again',
    });
    expect(history.events.find((event) => event.type === 'MapStateStarted')?.details).toEqual({ length: 3 });
    expect(
      history.events.filter((event) => event.type === 'MapIterationStarted').map((event) => event.details),
    ).toEqual([0, 1, 2].map((index) => ({ name: 'Each', index })));
  });

  it('links each iteration event to the event of the same iteration, and each iteration to MapStateStarted', async () => {
    const { history } = await run(definition, { ready: true, items: [1, 2, 3] }, { Work: flaky() });
    const byId = new Map(history.events.map((event) => [event.id, event]));
    const mapStarted = history.events.find((event) => event.type === 'MapStateStarted');
    for (const started of history.events.filter((event) => event.type === 'MapIterationStarted')) {
      expect(started.previousEventId).toBe(mapStarted?.id);
      const entered = history.events.find((event) => event.previousEventId === started.id);
      expect(entered?.type).toBe('PassStateEntered');
      const exited = history.events.find((event) => event.previousEventId === entered?.id);
      expect(exited?.type).toBe('PassStateExited');
      expect(history.events.find((event) => event.previousEventId === exited?.id)?.type).toBe(
        'MapIterationSucceeded',
      );
    }
    const succeeded = history.events.find((event) => event.type === 'MapStateSucceeded');
    expect(byId.get(succeeded?.previousEventId ?? 0)?.type).toBe('MapIterationSucceeded');
    // MapStateSucceeded does not advance the chain: MapStateExited follows the same event.
    const exited = history.events.find((event) => event.type === 'MapStateExited');
    expect(exited?.previousEventId).toBe(succeeded?.previousEventId);
  });

  it('keeps parallel iterations apart: each event follows the previous event of its own iteration', async () => {
    const parallel = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: lambda, End: true } } },
          End: true,
        },
      },
    } as unknown as StateMachineDefinition;
    // All three start, then they finish last item first, so the iterations' events interleave.
    const waiting: Array<() => void> = [];
    const work = (item: unknown) =>
      new Promise<unknown>((resolve) => {
        waiting[Number(item)] = () => resolve(item);
        if (Object.keys(waiting).length < 3) return;
        setImmediate(() => {
          for (const release of [...waiting].reverse()) release();
        });
      });
    const { history } = await run(parallel, { items: [0, 1, 2] }, { Work: work });
    const byId = new Map(history.events.map((event) => [event.id, event]));
    const chains = history.events
      .filter((event) => event.type === 'MapIterationSucceeded')
      .map((end) => {
        const chain: string[] = [];
        for (
          let event = byId.get(end.id);
          event && event.type !== 'MapStateStarted';
          event = byId.get(event.previousEventId)
        )
          chain.unshift(
            event.type === 'LambdaFunctionSucceeded'
              ? `${event.type}:${String(event.details?.output)}`
              : event.type,
          );
        return chain;
      });
    expect(chains).toEqual(
      ['2', '1', '0'].map((item) => [
        'MapIterationStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        `LambdaFunctionSucceeded:${item}`,
        'TaskStateExited',
        'MapIterationSucceeded',
      ]),
    );
  });

  it('writes a Distributed Map as a map run, each iteration a child workflow with its own history', async () => {
    const distributed = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Echo',
            States: { Echo: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    } as unknown as StateMachineDefinition;
    const children: ExecutionHistory[] = [];
    const { history } = await run(distributed, { items: [1, 2] }, {}, children);
    expect(history.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapRunStarted',
      'MapRunSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(children.map((child) => child.events.map((event) => event.type))).toEqual([
      ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
      ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
    ]);
  });

  it('writes LambdaFunctionTimedOut when TimeoutSeconds passes, and drops the late result', async () => {
    const machine = {
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: lambda,
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Gave Up' }],
          End: true,
        },
        'Gave Up': { Type: 'Succeed' },
      },
    } as unknown as StateMachineDefinition;
    const time = new VirtualTime(Date.parse('2026-12-01T00:00:00Z'));
    try {
      let lateResult = false;
      const slow = () =>
        new Promise<unknown>((resolve) =>
          setTimeout(() => {
            lateResult = true;
            resolve('late');
          }, 5000),
        );
      const running = run(machine, {}, { Slow: slow });
      let history: ExecutionHistory | undefined;
      void running.then((ended) => {
        history = ended.history;
      });
      await time.runUntil(
        () => history !== undefined && lateResult,
        () => 0,
      );
      expect(history?.events.map((event) => event.type)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionTimedOut',
        'TaskStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
    } finally {
      time.uninstall();
    }
  });

  it('writes an sns:publish task as TaskScheduled, TaskStarted and TaskSucceeded', async () => {
    const machine = {
      StartAt: 'Notify',
      States: { Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } },
    } as unknown as StateMachineDefinition;
    const { history } = await run(machine, { Message: 'hi' }, { Notify: async () => ({ MessageId: 'm-1' }) });
    expect(history.events.map((event) => [event.type, event.details?.resourceType])).toEqual([
      ['ExecutionStarted', undefined],
      ['TaskStateEntered', undefined],
      ['TaskScheduled', 'sns'],
      ['TaskStarted', 'sns'],
      ['TaskSucceeded', 'sns'],
      ['TaskStateExited', undefined],
      ['ExecutionSucceeded', undefined],
    ]);
  });

  it('ends a Fail state with FailStateEntered then ExecutionFailed', async () => {
    const machine = {
      StartAt: 'Give Up',
      States: { 'Give Up': { Type: 'Fail', Error: 'Nope', Cause: 'because' } },
    } as unknown as StateMachineDefinition;
    const { history, status } = await run(machine, {}, {});
    expect(status).toBe('FAILED');
    expect(history.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(history.events.at(-1)?.details).toEqual({ error: 'Nope', cause: 'because' });
  });

  it('fails the execution with States.Runtime as event 25,000, past any Catch', async () => {
    const machine = {
      StartAt: 'Spin',
      States: {
        Spin: {
          Type: 'Task',
          Resource: lambda,
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          Next: 'Spin',
        },
        Caught: { Type: 'Succeed' },
      },
    } as unknown as StateMachineDefinition;
    const { history, failures, status } = await run(machine, {}, { Spin: async () => ({}) });
    expect(status).toBe('STOPPED');
    expect(history.events).toHaveLength(historyEventLimit);
    expect(history.events.at(-1)).toMatchObject({
      id: historyEventLimit,
      previousEventId: historyEventLimit - 1,
      type: 'ExecutionFailed',
      details: {
        error: 'States.Runtime',
        cause: 'The execution reached the maximum number of history events (25000).',
      },
    });
    expect(failures).toHaveLength(1);
    expect(history.events.some((event) => event.details?.name === 'Caught')).toBe(false);
  });

  it('fails a task result over 256 KiB with States.DataLimitExceeded, past a States.ALL Catch', async () => {
    const machine = {
      StartAt: 'Big',
      States: {
        Big: {
          Type: 'Task',
          Resource: lambda,
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    } as unknown as StateMachineDefinition;
    const { history, failures } = await run(machine, {}, { Big: async () => 'x'.repeat(payloadLimitBytes) });
    expect(failures).toEqual([
      {
        error: 'States.DataLimitExceeded',
        cause:
          "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit.",
      },
    ]);
    expect(history.maxPayloadBytes).toBe(payloadLimitBytes + 2);
    expect(history.events.map((event) => event.type).slice(-2)).toEqual([
      'LambdaFunctionStarted',
      'ExecutionFailed',
    ]);
    expect(history.events.some((event) => event.details?.name === 'Caught')).toBe(false);
  });
});

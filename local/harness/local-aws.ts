import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type Scenario, type Simulator, startSimulator } from '../simulator/index.ts';
import { bindTasks, type TaskRecord, type TaskWrapper } from './bind-tasks.ts';
import { VirtualTime } from './virtual-time.ts';

export const defaultDefinitionFile = 'statemachine/upgrade-cluster.asl.json';

export interface ExecuteOptions {
  executionName?: string;
  definitionFile?: string;
  /** Called as each task ends, with simulated timestamps: the runner's live progress. */
  onTask?: (task: TaskRecord) => void;
  /** Wait states to hold for a fixed number of simulated seconds instead of what they ask for. */
  waitSecondsOverrides?: Record<string, number>;
  /** Wraps each task's binding, to fail, delay or crash it the way Lambda can. */
  wrapTask?: TaskWrapper;
  /** Stops the execution (as StopExecution would) once this many tasks have ended. */
  abortAfterTasks?: number;
}

/** A running execution: poll `settled()`, await `result`. */
interface RunningExecution {
  settled: () => boolean;
  result: Promise<ExecutionResult>;
}

export interface ExecutionResult {
  executionName: string;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** Simulated ms epoch. */
  startedAt: number;
  endedAt: number;
  /** States entered, nested Map states included: what Step Functions Standard bills. */
  stateTransitions: number;
  lambdaInvocations: number;
  tasks: TaskRecord[];
}

const simulatedEnvironment = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_SERVICE_NAME: 'eks-upgrade',
};

/**
 * AWS on this machine: the simulator with a scenario, on a virtual clock, and the real state
 * machine definition run by aws-local-stepfunctions with its tasks bound to the real handlers.
 * The handlers' SDK clients reach the simulator through AWS_ENDPOINT_URL over real HTTP, so
 * requests and responses are serialized exactly as against AWS.
 */
export class LocalAws {
  private constructor(
    readonly scenario: Scenario,
    readonly simulator: Simulator,
    private readonly time: VirtualTime,
    private readonly savedEnvironment: Record<string, string | undefined>,
  ) {}

  static async start(scenario: Scenario): Promise<LocalAws> {
    const time = new VirtualTime(Date.parse(scenario.startTime));
    const simulator = await startSimulator({ scenario, now: () => time.now() });
    const environment: Record<string, string> = {
      ...simulatedEnvironment,
      AWS_ENDPOINT_URL: simulator.endpoint,
      AWS_REGION: scenario.region,
      AWS_DEFAULT_REGION: scenario.region,
    };
    const saved = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
    for (const [key, value] of Object.entries(environment)) {
      if (value === '') delete process.env[key];
      else process.env[key] = value;
    }
    return new LocalAws(scenario, simulator, time, saved);
  }

  /** Simulated time, ms since epoch. */
  now(): number {
    return this.time.now();
  }

  /** Runs one execution of the state machine to its end, on simulated time. */
  async execute(input: unknown, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const [result] = await this.executeTogether([{ input, options }]);
    if (!result) throw new Error('the execution produced no result');
    return result;
  }

  /** Runs several executions side by side on the one simulated clock, each to its end. */
  async executeTogether(
    runs: Array<{ input: unknown; options?: ExecuteOptions }>,
  ): Promise<ExecutionResult[]> {
    const started = await Promise.all(runs.map((run) => this.start(run.input, run.options ?? {})));
    await this.time.runUntil(
      () => started.every((execution) => execution.settled()),
      () => this.simulator.inFlight(),
    );
    return Promise.all(started.map((execution) => execution.result));
  }

  private async start(input: unknown, options: ExecuteOptions): Promise<RunningExecution> {
    const executionName = options.executionName ?? `local-${this.now()}`;
    const text = readFileSync(options.definitionFile ?? defaultDefinitionFile, 'utf8');
    const definition = this.substitute(text);
    const tasks: TaskRecord[] = [];
    let abort: () => void = () => undefined;
    // Bound from the definition as written, where each task names its template function.
    const bindings = await bindTasks(
      JSON.parse(text),
      (task) => {
        tasks.push(task);
        options.onTask?.(task);
        if (tasks.length === options.abortAfterTasks) abort();
      },
      this.simulator.endpoint,
      options.wrapTask,
    );
    const { region, accountId } = this.scenario;
    const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:eks-upgrade-upgrade-cluster`;
    const startedAt = this.now();
    const execution = new StateMachine(definition).run(input as never, {
      overrides: {
        taskResourceLocalHandlers: bindings,
        // Milliseconds of the faked clock: simulated time.
        waitTimeOverrides: Object.fromEntries(
          Object.entries(options.waitSecondsOverrides ?? {}).map(([state, seconds]) => [
            state,
            seconds * 1000,
          ]),
        ),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`,
          Name: executionName,
          RoleArn: `arn:aws:iam::${accountId}:role/eks-upgrade-state-machine`,
        },
        StateMachine: { Id: stateMachineArn, Name: 'eks-upgrade-upgrade-cluster' },
      },
    });
    let aborted = false;
    abort = () => {
      aborted = true;
      execution.abort();
    };

    let stateTransitions = 0;
    const counting = (async () => {
      for await (const event of execution.eventLogs) if (event.type === 'StateEntered') stateTransitions += 1;
    })();
    let settled = false;
    const outcome = execution.result.then(
      (output: unknown) =>
        aborted ? { status: 'ABORTED' as const } : { status: 'SUCCEEDED' as const, output },
      (failure: unknown) => ({ status: 'FAILED' as const, ...failureOf(failure) }),
    );
    void outcome.finally(() => {
      settled = true;
    });
    const result = (async (): Promise<ExecutionResult> => {
      const ended = await outcome;
      await counting;
      return {
        executionName,
        ...ended,
        startedAt,
        endedAt: this.now(),
        stateTransitions,
        lambdaInvocations: tasks.filter((task) => !task.state.startsWith('Notify')).length,
        tasks,
      };
    })();
    return { settled: () => settled, result };
  }

  async close(): Promise<void> {
    await this.simulator.close();
    this.time.uninstall();
    for (const [key, value] of Object.entries(this.savedEnvironment)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }

  /** Fills the template's DefinitionSubstitutions with local ARNs, as a deployment would. */
  private substitute(text: string): StateMachineDefinition {
    const { region, accountId } = this.scenario;
    const filled = text.replace(/\$\{(\w+)\}/g, (_, name: string) =>
      name.endsWith('TopicArn')
        ? `arn:aws:sns:${region}:${accountId}:eks-upgrade-${name.replace(/Arn$/, '')}`
        : `arn:aws:lambda:${region}:${accountId}:function:eks-upgrade-${name.replace(/Arn$/, '')}`,
    );
    return JSON.parse(filled) as StateMachineDefinition;
  }
}

function failureOf(failure: unknown): { error: string; cause: string } {
  // The engine wraps the failing state's error; its name and message are the execution's Error and Cause.
  const inner = failure instanceof Error && failure.cause instanceof Error ? failure.cause : failure;
  if (inner instanceof Error) return { error: inner.name, cause: inner.message };
  return { error: 'Unknown', cause: String(inner) };
}

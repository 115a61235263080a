import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { readTemplate, type Template } from '../../scripts/template.ts';
import {
  ApiError,
  type DeployedStack,
  type ExecutionDescription,
  type HistoryEvent,
  type Scenario,
  type Simulator,
  type StepFunctionsBackend,
  startSimulator,
} from '../simulator/index.ts';
import { bindTasks, type TaskRecord, type TaskWrapper } from './bind-tasks.ts';
import { eventBridgeMayPublish, isRecord, matchesEventPattern, transformInput } from './eventbridge.ts';
import { ExecutionHistory, recordedTask } from './execution-history.ts';
import { type JSONValue, LambdaRuntime } from './lambda-runtime.ts';
import { actAs } from './role-credentials.ts';
import { TaskTokens } from './task-tokens.ts';
import { VirtualTime } from './virtual-time.ts';

export const defaultStateMachine = 'UpgradeClusterStateMachine';

export interface ExecuteOptions {
  executionName?: string;
  /** The template's state machine to run (logical id); default the cluster upgrade. */
  stateMachine?: string;
  /** Run this definition file instead of the state machine's own (same substitutions). */
  definitionFile?: string;
  /** Called as each task ends (its stage and roll executions' too), with simulated timestamps: the runner's live progress. */
  onTask?: (task: TaskRecord) => void;
  /** Wait states to hold for a fixed number of simulated seconds instead of what they ask for. */
  waitSecondsOverrides?: Record<string, number>;
  /** Wraps each task's binding, to fail, delay or crash it the way Lambda can. */
  wrapTask?: TaskWrapper;
  /** Stops the execution (as StopExecution would) once this many tasks have ended. */
  abortAfterTasks?: number;
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
  /** States entered and retries, nested Map states included: what Step Functions Standard bills. Parts' included. */
  stateTransitions: number;
  /** Parts' included. */
  lambdaInvocations: number;
  /** Every task, the parts' included, in the order they ended. */
  tasks: TaskRecord[];
  /** Events in the execution's own history (Step Functions ends an execution at 25,000). */
  historyEvents: number;
  /** Events in the largest history among the execution and its parts: the one nearest the quota. */
  largestHistoryEvents: number;
  /** Largest state input, output or task result of the execution or a part, UTF-8 bytes (the quota is 262,144). */
  maxPayloadBytes: number;
}

export interface LocalAwsOptions {
  /** The template's FleetClusters parameter, for the functions that read it. */
  fleetClusters?: string;
  /** Test-only: the template whose IAM policies the simulator enforces, e.g. one with a permission removed. */
  iamTemplate?: Template;
  /** The simulator's port; default 0 (ephemeral). */
  port?: number;
  /** The template's AssumableRoleArns parameter: roles in other accounts the steps may assume. */
  assumableRoleArns?: string;
  /** The template's NodeRoleArns parameter (default: the scenario's deployment). */
  nodeRoleArns?: string;
}

/** The credentials of a person at a terminal (tests, the CLI): an administrator. Any other unknown key is refused. */
export const operatorAccessKeyId = 'test';

/** A function invocation that a topic's subscription or a schedule caused. */
export interface Invocation {
  functionId: string;
  at: number;
  event: unknown;
  output?: JSONValue;
  error?: string;
}

interface ExecutionRecord {
  description: ExecutionDescription;
  tasks: TaskRecord[];
  history: ExecutionHistory;
  result: Promise<ExecutionResult>;
  settled: boolean;
  /** Set for a part of another execution (a stage or a node group's roll): that execution's ARN. */
  partOf?: string;
  /** StopExecution's effect, once the execution runs. */
  abort?: () => void;
}

/**
 * What a part inherits from the execution that started it: its faults, its Wait overrides, and a
 * way to pass its tasks up and to be stopped with it.
 */
interface PartOf {
  executionArn: string;
  options: ExecuteOptions;
  deliver: (task: TaskRecord) => void;
  ended: (result: ExecutionResult) => void;
}

/**
 * A cluster upgrade's own stage and roll executions are parts of it: its result counts them. A
 * fleet's cluster upgrades are not parts of the fleet run: each is an upgrade with its own result.
 */
function isPart(stateMachine: string): boolean {
  return stateMachine !== defaultStateMachine && stateMachine !== 'UpgradeFleetStateMachine';
}

const stackName = 'eks-upgrade';

const simulatedEnvironment = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_SERVICE_NAME: 'eks-upgrade',
  POWERTOOLS_METRICS_NAMESPACE: 'EksUpgrade',
  // No EMF lines on the terminal; npm start shows the same metrics from the steps' outputs.
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/**
 * AWS on this machine: the simulator with a scenario, on a virtual clock; the real state machine
 * definitions run by aws-local-stepfunctions with their tasks bound to the real handlers; SNS
 * topics delivering to the functions subscribed to them; Step Functions' StartExecution running
 * executions here. The handlers' SDK clients reach the simulator through AWS_ENDPOINT_URL over
 * real HTTP, so requests and responses are serialized exactly as against AWS.
 */
export class LocalAws {
  readonly invocations: Invocation[] = [];
  /** Histories of Distributed Map iterations (child workflow executions). */
  readonly childWorkflowHistories: ExecutionHistory[] = [];
  /** Hears every task of every execution, the ones the runner starts and the ones AWS starts. */
  onTask: ((executionName: string, task: TaskRecord) => void) | undefined;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly pending = new Set<Promise<unknown>>();
  readonly taskTokens = new TaskTokens();
  private readonly template: Template = readTemplate();
  private readonly stackUuid = randomUUID();
  /** EventBridge publishes to a rule's topic as the service, which the topic's policy allows. */
  private eventBridgeClient: SNSClient | undefined;
  private readonly runtime: LambdaRuntime;
  /** Executions binding their tasks (reading the definition, loading handlers). */
  private binding = 0;
  private closing = false;
  private serving: Promise<void> | undefined;

  private constructor(
    readonly scenario: Scenario,
    readonly simulator: Simulator,
    private readonly time: VirtualTime,
    private readonly savedEnvironment: Record<string, string | undefined>,
    private readonly parameters: Record<string, string>,
  ) {
    this.runtime = new LambdaRuntime(simulator.endpoint);
  }

  static async start(scenario: Scenario, options: LocalAwsOptions = {}): Promise<LocalAws> {
    const time = new VirtualTime(Date.parse(scenario.startTime));
    // The simulator calls back into this object, which needs the simulator to exist: bind late.
    let self: LocalAws | undefined;
    const late = (): LocalAws => {
      if (!self) throw new ApiError('ServiceUnavailable', 503, 'The local runner is starting');
      return self;
    };
    const parameters = {
      FleetClusters: options.fleetClusters ?? '',
      AssumableRoleArns: options.assumableRoleArns ?? '',
      NodeRoleArns: options.nodeRoleArns ?? scenario.deployment.nodeRoleArns.join(','),
      LogLevel: 'INFO',
      ClusterNamePattern: '*',
    };
    const simulator = await startSimulator({
      scenario,
      ...(options.port === undefined ? {} : { port: options.port }),
      now: () => time.now(),
      iam: {
        parameters,
        stackName,
        administratorAccessKeyIds: [operatorAccessKeyId],
        ...(options.iamTemplate ? { template: options.iamTemplate } : {}),
      },
      stepFunctions: {
        startExecution: (request) => late().startFromApi(request),
        describeExecution: (arn) => late().describe(arn),
        getExecutionHistory: (arn) => late().history(arn),
        listExecutions: (arn) => late().list(arn),
        answerTask: (token, result) => late().taskTokens.answer(token, result),
      } satisfies StepFunctionsBackend,
      onPublish: (message) => late().deliver(message.topicArn, message.subject, message.message),
      stacks: () => [late().deployedStack()],
    });
    const environment: Record<string, string> = {
      ...simulatedEnvironment,
      AWS_ENDPOINT_URL: simulator.endpoint,
      AWS_REGION: scenario.region,
      AWS_DEFAULT_REGION: scenario.region,
    };
    const saved = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
    self = new LocalAws(scenario, simulator, time, saved, parameters);
    // Each function's own environment from template.yaml, with this machine's ARNs and parameters.
    for (const resource of Object.values(self.template.Resources)) {
      const variables = (
        resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      for (const [key, value] of Object.entries(variables ?? {})) environment[key] = self.resolve(value);
    }
    for (const key of Object.keys(environment)) if (!(key in saved)) saved[key] = process.env[key];
    for (const [key, value] of Object.entries(environment)) {
      if (value === '') delete process.env[key];
      else process.env[key] = value;
    }
    return self;
  }

  /** The stack this machine deployed, as DescribeStacks tells it: template.yaml's outputs resolved here. */
  deployedStack(): DeployedStack {
    const { region, accountId, startTime } = this.scenario;
    return {
      name: stackName,
      id: `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${this.stackUuid}`,
      createdAt: Date.parse(startTime),
      outputs: Object.fromEntries(
        Object.entries(this.template.Outputs ?? {}).map(([key, output]) => [key, this.resolve(output.Value)]),
      ),
    };
  }

  /** Simulated time, ms since epoch. */
  now(): number {
    return this.time.now();
  }

  /** The local ARN of one of the template's state machines. */
  stateMachineArn(logicalId: string): string {
    const uri = String(this.template.Resources[logicalId]?.Properties?.DefinitionUri ?? logicalId);
    const { region, accountId } = this.scenario;
    return `arn:aws:states:${region}:${accountId}:stateMachine:${stackName}-${basename(uri, '.asl.json')}`;
  }

  /** Runs one execution of a state machine to its end, on simulated time. */
  async execute(input: unknown, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const [result] = await this.executeTogether([{ input, options }]);
    if (!result) throw new Error('the execution produced no result');
    return result;
  }

  /** Runs several executions side by side on the one simulated clock, each to its end. */
  async executeTogether(
    runs: Array<{ input: unknown; options?: ExecuteOptions }>,
  ): Promise<ExecutionResult[]> {
    const started = runs.map((run) => {
      const options = run.options ?? {};
      const stateMachine = options.stateMachine ?? defaultStateMachine;
      const name = options.executionName ?? `local-${this.now()}-${this.executions.size}`;
      return this.launch(stateMachine, name, run.input, options);
    });
    await this.settle();
    return Promise.all(started.map((record) => record.result));
  }

  /** Every execution so far but parts (counted in theirs), in start order, with its result once it has ended. */
  executionsSoFar(): Array<{ description: ExecutionDescription; result: Promise<ExecutionResult> }> {
    return [...this.executions.values()]
      .filter((record) => record.partOf === undefined)
      .map(({ description, result }) => ({ description: { ...description }, result }));
  }

  /** Invokes one of the template's functions as its schedule would, and lets what it causes run out. */
  async invoke(functionId: string, event: unknown = {}): Promise<Invocation> {
    const invocation = this.startInvocation(functionId, event);
    await this.settle();
    return invocation;
  }

  /** Lets simulated time pass with nothing of the workflow's running (e.g. until the next window). */
  async advance(seconds: number): Promise<void> {
    let done = false;
    setTimeout(() => {
      done = true;
    }, seconds * 1000);
    await this.time.runUntil(
      () => done,
      () => this.busy(),
    );
  }

  /**
   * Serves Step Functions and the simulated AWS APIs to other processes until close(): executions
   * started over HTTP run at once on the virtual clock, which jumps whenever the engine waits;
   * with nothing waiting, simulated time flows at `speed` times real time.
   */
  serve(speed: number): Promise<void> {
    this.serving = this.time.serve(
      () => this.closing,
      () => this.busy(),
      speed,
      () => this.taskTokens.waiting() > 0,
    );
    return this.serving;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.serving;
    await this.simulator.close();
    this.time.uninstall();
    for (const [key, value] of Object.entries(this.savedEnvironment)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }

  /** Work that is not a timer but must end before simulated time moves: HTTP requests and module loads. */
  private busy(): number {
    return this.simulator.inFlight() + this.runtime.loading() + this.binding;
  }

  /** Runs the clock until every execution, delivery and invocation has ended. */
  private settle(): Promise<void> {
    return this.time.runUntil(
      () => this.pending.size === 0 && [...this.executions.values()].every((record) => record.settled),
      () => this.busy(),
    );
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private launch(
    stateMachine: string,
    name: string,
    input: unknown,
    options: ExecuteOptions,
    partOf?: PartOf,
  ): ExecutionRecord {
    const stateMachineArn = this.stateMachineArn(stateMachine);
    const key = `${stateMachineArn}:${name}`;
    const description: ExecutionDescription = {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn,
      name,
      status: 'RUNNING',
      startDate: this.now(),
      input: JSON.stringify(input ?? {}),
    };
    const tasks: TaskRecord[] = [];
    const history = this.historyFor(description);
    const record: ExecutionRecord = {
      description,
      tasks,
      history,
      settled: false,
      ...(partOf ? { partOf: partOf.executionArn } : {}),
      // Called once the execution runs, after `record` exists.
      result: this.run(stateMachine, { description, tasks, history }, input, options, partOf, (abort) => {
        record.abort = abort;
      }),
    };
    void record.result.then((result) => {
      record.settled = true;
      description.status = result.status;
      description.stopDate = result.endedAt;
      if (result.output !== undefined) description.output = JSON.stringify(result.output);
      if (result.error) description.error = result.error;
      if (result.cause) description.cause = result.cause;
      this.announceStatusChange(description);
    });
    this.executions.set(key, record);
    return record;
  }

  private async run(
    stateMachine: string,
    { description, tasks, history }: Pick<ExecutionRecord, 'description' | 'tasks' | 'history'>,
    input: unknown,
    options: ExecuteOptions,
    partOf: PartOf | undefined,
    stoppable: (abort: () => void) => void,
  ): Promise<ExecutionResult> {
    const properties = this.template.Resources[stateMachine]?.Properties ?? {};
    const text = readFileSync(options.definitionFile ?? String(properties.DefinitionUri), 'utf8');
    const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    const definition = JSON.parse(
      text.replace(/\$\{(\w+)\}/g, (_, name: string) => this.resolve(substitutions[name])),
    ) as StateMachineDefinition;
    let abort: () => void = () => undefined;
    let aborted = false;
    const lambdaStates = lambdaTaskStates(JSON.parse(text));
    let ownLambdaInvocations = 0;
    const parts: ExecutionResult[] = [];
    const runningParts = new Set<string>();
    // Its own tasks and its parts', as they end.
    const deliver = (task: TaskRecord) => {
      tasks.push(task);
      options.onTask?.(task);
      partOf?.deliver(task);
      if (!partOf) this.onTask?.(description.name, task);
      if (tasks.length === options.abortAfterTasks) abort();
    };
    this.binding += 1;
    // Bound from the definition as written, where each task names its template function.
    const bindings = await bindTasks(JSON.parse(text), {
      runtime: this.runtime,
      record: (task) => {
        if (lambdaStates.has(task.state)) ownLambdaInvocations += 1;
        deliver(task);
      },
      // After StopExecution nothing new may start: the engine still enters the first state of
      // Map iterations that were queued, and in AWS those would never run.
      wrap: (state, bound) => {
        const run = options.wrapTask ? options.wrapTask(state, bound) : bound;
        return (input) =>
          aborted
            ? Promise.reject(new Error('The execution was stopped.'))
            : recordedTask(state, input, () => run(input));
      },
      startChild: (request) =>
        this.runChild(
          request,
          {
            executionArn: description.executionArn,
            // Faults and Wait overrides reach the parts; the runner's progress and stop come through deliver.
            options: {
              ...(options.wrapTask ? { wrapTask: options.wrapTask } : {}),
              ...(options.waitSecondsOverrides ? { waitSecondsOverrides: options.waitSecondsOverrides } : {}),
            },
            deliver,
            ended: (result) => parts.push(result),
          },
          runningParts,
        ),
      taskTokens: this.taskTokens,
      role: {
        act: (work) => actAs(stateMachine, work),
        denial: (action, resource) => this.simulator.roleDenial(stateMachine, action, resource),
        functionArn: (functionId) => this.resolve({ 'Fn::GetAtt': [functionId, 'Arn'] }),
      },
    }).finally(() => {
      this.binding -= 1;
    });
    const startedAt = this.now();
    const execution = history.record(() =>
      machineFor(definition).run(input as never, {
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
            Id: description.executionArn,
            Name: description.name,
            StartTime: new Date(description.startDate).toISOString(),
            RedriveCount: 0,
            RoleArn: `arn:aws:iam::${this.scenario.accountId}:role/${stackName}-state-machine`,
          },
          Task: this.taskTokens.contextFor(description.executionArn),
          StateMachine: {
            Id: description.stateMachineArn,
            Name: description.stateMachineArn.split(':').at(-1) ?? '',
          },
        },
      }),
    );
    // StopExecution stops the executions a `.sync` task of it is waiting for, too.
    abort = () => {
      aborted = true;
      this.taskTokens.closeExecution(description.executionArn);
      history.abort();
      execution.abort();
      for (const arn of runningParts) this.recordOf(arn).abort?.();
    };
    stoppable(() => abort());
    // A quota ends the execution from outside the definition: no Retry or Catch of it runs.
    let quotaFailure: { error: string; cause: string } | undefined;
    history.onQuotaFailure = (failure) => {
      quotaFailure = failure;
      aborted = true;
      execution.abort();
    };
    let stateTransitions = 0;
    const counting = (async () => {
      // Step Functions bills each state entered and each retry (aws.amazon.com/step-functions/pricing).
      for await (const event of execution.eventLogs)
        if (event.type === 'StateEntered' || event.type === 'StateRetried') stateTransitions += 1;
    })();
    const ended = await execution.result.then(
      (output: unknown) =>
        quotaFailure
          ? { status: 'FAILED' as const, ...quotaFailure }
          : aborted
            ? { status: 'ABORTED' as const }
            : { status: 'SUCCEEDED' as const, output },
      (failure: unknown) => ({ status: 'FAILED' as const, ...failureOf(failure) }),
    );
    await counting;
    const result: ExecutionResult = {
      executionName: description.name,
      ...ended,
      startedAt,
      endedAt: this.now(),
      stateTransitions: parts.reduce((sum, part) => sum + part.stateTransitions, stateTransitions),
      lambdaInvocations: parts.reduce((sum, part) => sum + part.lambdaInvocations, ownLambdaInvocations),
      tasks,
      historyEvents: history.events.length,
      largestHistoryEvents: Math.max(
        history.events.length,
        ...parts.map((part) => part.largestHistoryEvents),
      ),
      maxPayloadBytes: Math.max(history.maxPayloadBytes, ...parts.map((part) => part.maxPayloadBytes)),
    };
    return result;
  }

  /** The history Step Functions keeps for an execution, and its Distributed Map children's. */
  private historyFor(description: ExecutionDescription): ExecutionHistory {
    const common = {
      now: () => this.now(),
      roleArn: `arn:aws:iam::${this.scenario.accountId}:role/${stackName}-state-machine`,
      region: this.scenario.region,
    };
    return new ExecutionHistory({
      ...common,
      executionArn: description.executionArn,
      // A Distributed Map's child workflows: counted and kept, their quotas not enforced (see README).
      childHistory: () => {
        const child = new ExecutionHistory({
          ...common,
          executionArn: `${description.executionArn}:child`,
        });
        this.childWorkflowHistories.push(child);
        return child;
      },
    });
  }

  /**
   * `states:startExecution.sync:2`: a child execution, followed to its end. A failed child fails the
   * task with States.TaskFailed and the child's description, as DescribeExecution gives it, in the Cause.
   */
  private async runChild(
    request: { StateMachineArn: string; Name: string; Input: unknown },
    parent: PartOf,
    runningParts: Set<string>,
  ): Promise<JSONValue> {
    const stateMachine = this.logicalIdOf(request.StateMachineArn);
    if (!/^[A-Za-z0-9._-]{1,80}$/.test(request.Name)) {
      throw Object.assign(new Error(`Invalid Name: '${request.Name}'`), {
        name: 'StepFunctions.InvalidNameException',
      });
    }
    const input = typeof request.Input === 'string' ? (JSON.parse(request.Input) as unknown) : request.Input;
    const existing = this.executions.get(`${request.StateMachineArn}:${request.Name}`);
    // StartExecution is idempotent for a running execution of the same name and input; else refused.
    if (existing && (existing.settled || existing.description.input !== JSON.stringify(input ?? {}))) {
      throw Object.assign(new Error(`Execution already exists: '${request.Name}'`), {
        name: 'StepFunctions.ExecutionAlreadyExistsException',
      });
    }
    const part = isPart(stateMachine);
    // A fleet's cluster executions are driven as the fleet is (fixed waits, wrapped tasks); the
    // runner's progress and stop stay with the fleet.
    const { waitSecondsOverrides, wrapTask } = parent.options;
    const driven = {
      ...(waitSecondsOverrides ? { waitSecondsOverrides } : {}),
      ...(wrapTask ? { wrapTask } : {}),
    };
    const record =
      existing ??
      this.launch(
        stateMachine,
        request.Name,
        input,
        part ? parent.options : driven,
        part ? parent : undefined,
      );
    runningParts.add(record.description.executionArn);
    const result = await record.result.finally(() => runningParts.delete(record.description.executionArn));
    if (part) parent.ended(result);
    const description = this.describe(record.description.executionArn);
    if (result.status !== 'SUCCEEDED') {
      throw Object.assign(new Error(JSON.stringify(describedAsAws(description))), {
        name: 'States.TaskFailed',
      });
    }
    return {
      ExecutionArn: description.executionArn,
      Status: result.status,
      Output: (result.output ?? null) as JSONValue,
      StartDate: description.startDate,
      StopDate: result.endedAt,
    };
  }

  private startFromApi(request: {
    stateMachineArn: string;
    name: string;
    input: string;
  }): ExecutionDescription {
    const stateMachine = this.logicalIdOf(request.stateMachineArn);
    if (!/^[A-Za-z0-9._-]{1,80}$/.test(request.name)) {
      throw new ApiError('InvalidName', 400, `Invalid Name: '${request.name}'`);
    }
    if (this.executions.has(`${request.stateMachineArn}:${request.name}`)) {
      throw new ApiError('ExecutionAlreadyExists', 400, `Execution Already Exists: '${request.name}'`);
    }
    const record = this.launch(stateMachine, request.name, JSON.parse(request.input), {});
    return record.description;
  }

  private describe(executionArn: string): ExecutionDescription {
    return { ...this.recordOf(executionArn).description };
  }

  /** The execution's history as Step Functions wrote it, so far. */
  private history(executionArn: string): HistoryEvent[] {
    return this.recordOf(executionArn).history.events;
  }

  /** ListExecutions: a state machine's executions, newest first. */
  private list(stateMachineArn: string): ExecutionDescription[] {
    this.logicalIdOf(stateMachineArn);
    return [...this.executions.values()]
      .filter((record) => record.description.stateMachineArn === stateMachineArn)
      .map((record) => ({ ...record.description }))
      .reverse();
  }

  private recordOf(executionArn: string): ExecutionRecord {
    const record = [...this.executions.values()].find(
      (candidate) => candidate.description.executionArn === executionArn,
    );
    if (!record)
      throw new ApiError('ExecutionDoesNotExist', 400, `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  /** Invokes a function in the background, recording what it returned or threw. */
  private startInvocation(functionId: string, event: unknown): Invocation {
    const invocation: Invocation = { functionId, at: this.now(), event };
    this.invocations.push(invocation);
    this.track(
      this.runtime.invoke(functionId, event).then(
        (output) => {
          invocation.output = output;
        },
        (error: unknown) => {
          invocation.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        },
      ),
    );
    return invocation;
  }

  /** SNS delivers each message to the functions subscribed to its topic, as an SNS event. */
  private deliver(topicArn: string, subject: string | undefined, message: string): void {
    for (const [functionId, resource] of Object.entries(this.template.Resources)) {
      const events = (resource.Properties?.Events ?? {}) as Record<
        string,
        { Type?: string; Properties?: { Topic?: unknown } }
      >;
      const subscribed = Object.values(events).some(
        (event) => event.Type === 'SNS' && this.resolve(event.Properties?.Topic) === topicArn,
      );
      if (!subscribed) continue;
      const event = {
        Records: [
          {
            EventSource: 'aws:sns',
            Sns: {
              Type: 'Notification',
              MessageId: `${topicArn}:${this.invocations.length}`,
              TopicArn: topicArn,
              Subject: subject ?? null,
              Message: message,
              Timestamp: new Date(this.now()).toISOString(),
            },
          },
        ],
      };
      this.startInvocation(functionId, event);
    }
  }

  private logicalIdOf(stateMachineArn: string): string {
    const found = Object.keys(this.template.Resources).find(
      (logicalId) =>
        this.template.Resources[logicalId]?.Type === 'AWS::Serverless::StateMachine' &&
        this.stateMachineArn(logicalId) === stateMachineArn,
    );
    if (!found)
      throw new ApiError(
        'StateMachineDoesNotExist',
        400,
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    return found;
  }

  /**
   * EventBridge's "Step Functions Execution Status Change" for an execution that ended, delivered to
   * every rule of the template whose pattern matches it (SNS topic targets, with their input
   * transformer), as EventBridge would publish on the rule's behalf.
   */
  private announceStatusChange(description: ExecutionDescription): void {
    const { region, accountId } = this.scenario;
    const event = {
      version: '0',
      id: `${description.executionArn}:status`,
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: accountId,
      time: new Date(description.stopDate ?? this.now()).toISOString(),
      region,
      resources: [description.executionArn],
      detail: {
        executionArn: description.executionArn,
        stateMachineArn: description.stateMachineArn,
        name: description.name,
        status: description.status,
        startDate: description.startDate,
        stopDate: description.stopDate ?? null,
        input: description.input,
        output: description.output ?? null,
        ...(description.error ? { error: description.error } : {}),
        ...(description.cause ? { cause: description.cause } : {}),
      },
    };
    for (const [ruleId, resource] of Object.entries(this.template.Resources)) {
      if (resource.Type !== 'AWS::Events::Rule') continue;
      if (!matchesEventPattern(this.resolveAll(resource.Properties?.EventPattern), event)) continue;
      const targets = (resource.Properties?.Targets ?? []) as Array<{
        Arn: unknown;
        InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
      }>;
      for (const target of targets) {
        const topicId = isRecord(target.Arn) ? String(target.Arn.Ref) : '';
        if (!eventBridgeMayPublish(this.template.Resources, ruleId, topicId)) continue;
        const message = target.InputTransformer
          ? transformInput(target.InputTransformer, event)
          : JSON.stringify(event);
        this.track(
          this.eventBridgeSns().send(
            new PublishCommand({ TopicArn: this.resolve(target.Arn), Message: message }),
          ),
        );
      }
    }
  }

  /** Built on first use: SDK clients fix their endpoint when built, after start() pointed it here. */
  private eventBridgeSns(): SNSClient {
    this.eventBridgeClient ??= new SNSClient({
      credentials: { accessKeyId: operatorAccessKeyId, secretAccessKey: operatorAccessKeyId },
    });
    return this.eventBridgeClient;
  }

  /** A template structure with every intrinsic in it resolved. */
  private resolveAll(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveAll(item));
    if (typeof value !== 'object' || value === null) return value;
    if ('Ref' in value || 'Fn::GetAtt' in value || 'Fn::Sub' in value) return this.resolve(value);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, this.resolveAll(inner)]));
  }

  /** A template value (`!Ref`, `!GetAtt x.Arn`, a string) as this machine deploys it. */
  private resolve(value: unknown): string {
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    const { region, accountId } = this.scenario;
    if (typeof value === 'object' && value !== null && 'Ref' in value) {
      const name = String(value.Ref);
      const parameter = this.parameters[name];
      if (parameter !== undefined) return parameter;
      // A template parameter this machine sets nothing for deploys with its default.
      const declared = this.template.Parameters?.[name] as { Default?: unknown } | undefined;
      if (declared?.Default !== undefined) return String(declared.Default);
      const type = this.template.Resources[name]?.Type;
      if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${region}:${accountId}:${stackName}-${name}`;
      if (type === 'AWS::Serverless::StateMachine') return this.stateMachineArn(name);
      return `${stackName}-${name}`;
    }
    if (typeof value === 'object' && value !== null && 'Fn::GetAtt' in value) {
      const [name = ''] = value['Fn::GetAtt'] as string[];
      return `arn:aws:lambda:${region}:${accountId}:function:${stackName}-${name}`;
    }
    if (
      typeof value === 'object' &&
      value !== null &&
      'Fn::Sub' in value &&
      typeof value['Fn::Sub'] === 'string'
    ) {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': region,
        'AWS::AccountId': accountId,
        'AWS::StackName': stackName,
      };
      return value['Fn::Sub'].replace(
        /\$\{([\w:]+)\}/g,
        (_, name: string) => pseudo[name] ?? this.resolve({ Ref: name }),
      );
    }
    throw new Error(`The local runner cannot resolve ${JSON.stringify(value)}`);
  }
}

/**
 * The engine's state machine for a definition, built once: building one validates the whole
 * definition (about 0.1 s), and an upgrade runs one execution per stage and per roll.
 */
const machines = new Map<string, StateMachine>();
function machineFor(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition);
  let machine = machines.get(key);
  if (!machine) {
    machine = new StateMachine(definition);
    machines.set(key, machine);
  }
  return machine;
}

/** An execution as DescribeExecution's JSON has it (PascalCase, times in epoch seconds). */
function describedAsAws(description: ExecutionDescription): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(description).map(([key, value]) => [
      `${key.charAt(0).toUpperCase()}${key.slice(1)}`,
      key.endsWith('Date') && typeof value === 'number' ? value / 1000 : value,
    ]),
  );
}

/** Task states of a definition (Maps' included) that invoke one of the template's functions. */
function lambdaTaskStates(machine: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    const { States: states } = value as { States?: Record<string, Record<string, unknown>> };
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task' && /^\$\{\w+FunctionArn\}$/.test(String(state.Resource))) found.add(name);
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches as unknown[] | undefined) ?? []) visit(branch);
    }
  };
  visit(machine);
  return found;
}

function failureOf(failure: unknown): { error: string; cause: string } {
  // The engine wraps the failing state's error; its name and message are the execution's Error and Cause.
  const inner = failure instanceof Error && failure.cause instanceof Error ? failure.cause : failure;
  if (inner instanceof Error) return { error: inner.name, cause: inner.message };
  return { error: 'Unknown', cause: String(inner) };
}

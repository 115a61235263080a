import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import {
  DescribeExecutionCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  paginateGetExecutionHistory,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { z } from 'zod';
import { formatPlan, progressLine, type TaskEvent } from '../format/run-text.ts';
import { planUpgrade } from '../functions/plan-upgrade/plan-upgrade.ts';
import type { replacementAmiTypes } from '../functions/shared/ami-types.ts';
import { executionNameFor } from '../functions/shared/fleet.ts';
import type { upgradeInputSchema } from '../functions/shared/input.ts';
import type { UpgradePlan } from '../functions/shared/types.ts';

/** The execution input `start` sends, as the state machine's first step validates it. */
export type UpgradeRequest = z.input<typeof upgradeInputSchema>;

/** The flags of `plan` and `start` that make the execution input (commander's names). */
export interface RequestOptions {
  cluster: string;
  target?: string;
  nodegroup?: string[];
  force?: boolean;
  dryRun?: boolean;
  releaseVersion?: string;
  launchTemplateVersion?: string[];
  acceptInsightErrors?: boolean;
  acceptUnmanagedSkew?: boolean;
  concurrency?: string;
  maxUnavailable?: string;
  maxUnavailablePercentage?: string;
  updateStrategy?: string;
  deadline?: string;
  windowStart?: string;
  windowMinutes?: string;
  notify?: boolean;
  bakeMinutes?: string;
  bakeAlarm?: string[];
  bakeIgnoreHealthIssues?: boolean;
  onGateFailure?: string;
  acknowledgeGateFailure?: boolean;
  replaceAl2?: boolean | string;
  replacementNamePattern?: string;
  replacementLaunchTemplateVersion?: string[];
  approval?: string;
  roleArn?: string;
}

/**
 * The execution input from the flags: every field the state machine takes, each only when given.
 * Values are passed as typed; the state machine's validation names what is wrong with them.
 * @throws Error for a flag whose own form is wrong (a pair without "=", a window half given).
 */
export function requestOf(options: RequestOptions): UpgradeRequest {
  const rollingUpdate = {
    ...(options.maxUnavailable ? { maxUnavailable: Number(options.maxUnavailable) } : {}),
    ...(options.maxUnavailablePercentage
      ? { maxUnavailablePercentage: Number(options.maxUnavailablePercentage) }
      : {}),
    ...(options.updateStrategy ? { updateStrategy: options.updateStrategy as 'DEFAULT' | 'MINIMAL' } : {}),
  };
  if ((options.windowStart === undefined) !== (options.windowMinutes === undefined))
    throw new Error('--window-start and --window-minutes go together.');
  const replacing =
    options.replaceAl2 !== undefined ||
    options.replacementNamePattern !== undefined ||
    options.replacementLaunchTemplateVersion !== undefined;
  return {
    clusterName: options.cluster,
    ...(options.target && options.target !== 'none' ? { targetVersion: options.target } : {}),
    ...(options.nodegroup?.length ? { nodegroups: options.nodegroup } : {}),
    ...(options.force ? { force: true } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.releaseVersion ? { releaseVersion: options.releaseVersion } : {}),
    ...(options.launchTemplateVersion?.length
      ? { launchTemplateVersions: pairsOf(options.launchTemplateVersion, '--launch-template-version') }
      : {}),
    ...(options.acceptInsightErrors ? { acceptInsightErrors: true } : {}),
    ...(options.acceptUnmanagedSkew ? { acceptUnmanagedSkew: true } : {}),
    ...(options.concurrency ? { maxConcurrentNodegroups: Number(options.concurrency) } : {}),
    ...(Object.keys(rollingUpdate).length > 0 ? { rollingUpdate } : {}),
    ...(options.deadline ? { deadline: options.deadline } : {}),
    ...(options.windowStart && options.windowMinutes
      ? { window: { start: options.windowStart, minutes: Number(options.windowMinutes) } }
      : {}),
    ...(options.notify === false ? { notify: false } : {}),
    ...(options.bakeMinutes
      ? {
          bake: {
            minutes: Number(options.bakeMinutes),
            ...(options.bakeAlarm?.length ? { alarms: options.bakeAlarm } : {}),
            ...(options.bakeIgnoreHealthIssues ? { failOnHealthIssues: false } : {}),
          },
        }
      : {}),
    ...(options.onGateFailure ? { onGateFailure: gateFailurePolicy(options.onGateFailure) } : {}),
    ...(options.acknowledgeGateFailure ? { acknowledgeGateFailure: true } : {}),
    ...(replacing
      ? {
          replaceAl2: {
            ...(typeof options.replaceAl2 === 'string'
              ? { amiType: options.replaceAl2 as (typeof replacementAmiTypes)[number] }
              : {}),
            ...(options.replacementNamePattern ? { namePattern: options.replacementNamePattern } : {}),
            ...(options.replacementLaunchTemplateVersion?.length
              ? {
                  launchTemplateVersions: pairsOf(
                    options.replacementLaunchTemplateVersion,
                    '--replacement-launch-template-version',
                  ),
                }
              : {}),
          },
        }
      : {}),
    ...(options.approval ? { approval: approvalMode(options.approval) } : {}),
    ...(options.roleArn ? { roleArn: options.roleArn } : {}),
  };
}

function approvalMode(text: string): 'none' | 'before-upgrade' | 'before-each-hop' {
  if (text !== 'none' && text !== 'before-upgrade' && text !== 'before-each-hop')
    throw new Error(`--approval takes none, before-upgrade or before-each-hop, not "${text}".`);
  return text;
}

function gateFailurePolicy(text: string): 'stop' | 'rollback' {
  if (text !== 'stop' && text !== 'rollback')
    throw new Error(`--on-gate-failure takes stop or rollback, not "${text}".`);
  return text;
}

/** ["gpu=8"]: node group gpu takes launch template version 8. */
function pairsOf(pairs: string[], flag: string): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const [nodegroup = '', version = ''] = pair.split('=');
      if (!nodegroup || !version) throw new Error(`${flag} takes <nodegroup>=<version>, not "${pair}".`);
      return [nodegroup, version];
    }),
  );
}

/** `eks-upgrade plan`: the plan for one cluster, read-only, as a table (or JSON). */
export async function planCommand(
  request: UpgradeRequest,
  deps: {
    eks: EKSClient;
    ssm: SSMClient;
    cloudWatch: CloudWatchClient;
    autoScaling: AutoScalingClient;
    ec2: EC2Client;
  },
): Promise<UpgradePlan> {
  // A person's own credentials decide what they may read; the plan covers the one cluster named.
  return planUpgrade(
    { input: { ...request, dryRun: true }, executionName: 'eks-upgrade-plan' },
    { ...deps, allowedClusters: request.clusterName, now: () => new Date() },
  );
}

export { formatPlan };

/** The stack `--stack` names is not in the region. */
export class StackNotFoundError extends Error {
  override name = 'StackNotFoundError';
}

/** The stack exists but does not have the output the command needs. */
export class StackOutputMissingError extends Error {
  override name = 'StackOutputMissingError';
}

/**
 * The deployed upgrade-cluster state machine: the flag when given, else the stack's output.
 * @throws StackNotFoundError or StackOutputMissingError, saying which flag to pass.
 */
export async function findStateMachine(
  options: { stateMachineArn?: string; stack?: string },
  cloudFormation: CloudFormationClient,
): Promise<string> {
  if (options.stateMachineArn) return options.stateMachineArn;
  const stackName = options.stack ?? 'eks-upgrade';
  const output = 'UpgradeClusterStateMachineArn';
  const { Stacks = [] } = await cloudFormation
    .send(new DescribeStacksCommand({ StackName: stackName }))
    .catch(async (error: unknown) => {
      if (
        !(error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message))
      )
        throw error;
      throw new StackNotFoundError(
        `No stack ${stackName} in ${await cloudFormation.config.region()}: pass --stack with the name sam deploy used, --region, or --state-machine-arn.`,
      );
    });
  const arn = Stacks[0]?.Outputs?.find((candidate) => candidate.OutputKey === output)?.OutputValue;
  if (!arn)
    throw new StackOutputMissingError(
      `Stack ${stackName} has no ${output} output (is it this project's stack, fully deployed?); pass --state-machine-arn.`,
    );
  return arn;
}

/** `eks-upgrade start`: one execution for one cluster. */
export async function startCommand(
  request: UpgradeRequest,
  stateMachineArn: string,
  sfn: SFNClient,
  now: () => Date = () => new Date(),
): Promise<string> {
  const stamp = now()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  // Long cluster names are hashed, not cut, so the time always stays in the name.
  const work = request.rollback ? 'rollback' : (request.targetVersion ?? 'ami');
  const name = executionNameFor(request.clusterName, `${work}-${stamp}`);
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(request) }),
  );
  if (!executionArn) throw new Error('StartExecution returned no execution ARN.');
  return executionArn;
}

/** One recent upgrade, as `eks-upgrade list` shows it. */
export interface ExecutionRow {
  name: string;
  cluster: string;
  from: string;
  to: string;
  /** UPGRADED, DEFERRED, PLANNED for a run that succeeded; else the execution's status. */
  outcome: string;
  error: string;
  startedAt: string;
  minutes: number | null;
}

/** `eks-upgrade list`: the most recent executions of the upgrade state machine, newest first. */
export async function listCommand(
  stateMachineArn: string,
  sfn: SFNClient,
  limit = 20,
): Promise<ExecutionRow[]> {
  const { executions = [] } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn, maxResults: limit }),
  );
  const rows: ExecutionRow[] = [];
  for (const listed of executions) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: listed.executionArn }));
    const input = parseJson(described.input) as { clusterName?: unknown; targetVersion?: unknown };
    const output = parseJson(described.output) as {
      outcome?: unknown;
      currentVersion?: unknown;
      targetVersion?: unknown;
    };
    const stopped = described.stopDate?.getTime();
    const started = described.startDate?.getTime();
    rows.push({
      name: listed.name ?? '',
      cluster: String(input.clusterName ?? '?'),
      from: String(output.currentVersion ?? '?'),
      to: String(output.targetVersion ?? input.targetVersion ?? '?'),
      outcome:
        described.status === 'SUCCEEDED' && output.outcome
          ? String(output.outcome)
          : String(described.status),
      error: described.error ?? '',
      startedAt: described.startDate?.toISOString() ?? '',
      minutes: started && stopped ? Math.round((stopped - started) / 60_000) : null,
    });
  }
  return rows;
}

function parseJson(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const attemptStarts = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);
const attemptEnds = new Set([
  'LambdaFunctionSucceeded',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'TaskSucceeded',
  'TaskFailed',
  'TaskTimedOut',
]);

/**
 * Each task attempt of an execution history (every Lambda invocation or service call, retries
 * included), in the order they ended. An attempt's end is paired with its start and its Task state
 * by following previousEventId, never by state name: the node groups of one stage run as parallel
 * Map iterations through the same states, and only the event chain tells them apart.
 */
export function tasksOf(events: HistoryEvent[]): TaskEvent[] {
  const byId = new Map(events.map((event) => [event.id, event]));
  const parse = (text: string | undefined): unknown => {
    try {
      return text === undefined ? undefined : JSON.parse(text);
    } catch {
      return text;
    }
  };
  /** The attempt's scheduling event and the TaskStateEntered it belongs to, walking back. */
  const originOf = (end: HistoryEvent) => {
    let scheduled: HistoryEvent | undefined;
    for (
      let event = byId.get(end.previousEventId ?? 0);
      event;
      event = byId.get(event.previousEventId ?? 0)
    ) {
      if (!scheduled && attemptStarts.has(event.type ?? '')) scheduled = event;
      if (event.type === 'TaskStateEntered') return { scheduled, entered: event };
    }
    return { scheduled, entered: undefined };
  };
  const tasks: TaskEvent[] = [];
  for (const event of events) {
    if (!attemptEnds.has(event.type ?? '')) continue;
    const { scheduled, entered } = originOf(event);
    const state = entered?.stateEnteredEventDetails?.name ?? 'task';
    const base = {
      state,
      endedAt: event.timestamp?.getTime() ?? 0,
      // What the function was given (after Parameters), as the attempt's scheduling event tells it.
      input: parse(
        scheduled?.lambdaFunctionScheduledEventDetails?.input ??
          scheduled?.taskScheduledEventDetails?.parameters ??
          entered?.stateEnteredEventDetails?.input,
      ),
      ...(scheduled?.timestamp ? { startedAt: scheduled.timestamp.getTime() } : {}),
    };
    const failure =
      event.lambdaFunctionFailedEventDetails ??
      event.lambdaFunctionTimedOutEventDetails ??
      event.taskFailedEventDetails ??
      event.taskTimedOutEventDetails;
    if (failure) {
      tasks.push({ ...base, error: { name: failure.error ?? 'Error', message: failure.cause ?? '' } });
    } else {
      const output =
        event.lambdaFunctionSucceededEventDetails?.output ?? event.taskSucceededEventDetails?.output;
      tasks.push({ ...base, output: parse(output) });
    }
  }
  return tasks;
}

/** An execution's whole history, page by page. */
export async function readHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  // The largest page AWS serves: a long upgrade's history runs to thousands of events.
  for await (const page of paginateGetExecutionHistory({ client: sfn }, { executionArn, maxResults: 1000 })) {
    events.push(...(page.events ?? []));
  }
  return events;
}

/** One execution's history, in a run of several (an upgrade, its stage executions, their roll executions). */
export interface ExecutionEvents {
  executionArn: string;
  events: HistoryEvent[];
}

/** The executions a history's `startExecution.sync` tasks started, as their TaskSubmitted events name them. */
function startedExecutions(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => {
    const details = event.taskSubmittedEventDetails;
    if (event.type !== 'TaskSubmitted' || !details?.resource?.startsWith('startExecution.sync')) return [];
    try {
      const { ExecutionArn } = JSON.parse(details.output ?? '{}') as { ExecutionArn?: unknown };
      return typeof ExecutionArn === 'string' ? [ExecutionArn] : [];
    } catch {
      return [];
    }
  });
}

/**
 * An execution's history and those of every execution it started and waited for, first the
 * execution's own. `known` keeps histories of executions that ended, which never change again.
 */
export async function readRun(
  sfn: SFNClient,
  executionArn: string,
  known = new Map<string, HistoryEvent[]>(),
): Promise<ExecutionEvents[]> {
  const run: ExecutionEvents[] = [];
  const queue = [executionArn];
  for (let arn = queue.shift(); arn; arn = queue.shift()) {
    const events = known.get(arn) ?? (await readHistory(sfn, arn));
    if (executionEnd(events)) known.set(arn, events);
    run.push({ executionArn: arn, events });
    queue.push(...startedExecutions(events));
  }
  return run;
}

/** Every task of a run, each with the execution it ran in, in the order they ended. */
export function runTasksOf(run: ExecutionEvents[]): Array<TaskEvent & { executionArn: string }> {
  return run
    .flatMap(({ executionArn, events }) => tasksOf(events).map((task) => ({ ...task, executionArn })))
    .sort((a, b) => a.endedAt - b.endedAt);
}

function executionEnd(events: HistoryEvent[]): HistoryEvent | undefined {
  return events.find((event) => /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(event.type ?? ''));
}

/** One step of a watched run, as `watch` prints it (`--output json`: one JSON line each). */
export interface WatchedStep {
  state: string;
  endedAt: string;
  /** The line npm start prints for it. */
  line: string;
  output?: unknown;
  error?: { name: string; message: string };
}

/** How a watched execution ended. */
export interface ExecutionEnd {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  error?: string;
  cause?: string;
}

/** The last line `watch` prints: the status, and the error and cause of a failed run. */
export function formatEnd(end: ExecutionEnd): string {
  return `${end.status}${end.error || end.cause ? `: ${end.error ?? ''} ${end.cause ?? ''}` : ''}`;
}

const endStatus = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
} as const;

/**
 * `eks-upgrade watch`: follows an execution's history, and those of the stage and roll executions
 * it starts, and hands each step to `onStep` as it ends, until the execution ends. Resolves with
 * how it ended.
 */
export async function watchCommand(
  executionArn: string,
  deps: {
    sfn: SFNClient;
    onStep: (step: WatchedStep) => void;
    sleep: (ms: number) => Promise<void>;
    pollMs?: number;
  },
): Promise<ExecutionEnd> {
  // Per execution, how many of its tasks were handed on: each history only grows.
  const handed = new Map<string, number>();
  const known = new Map<string, HistoryEvent[]>();
  for (;;) {
    const run = await readRun(deps.sfn, executionArn, known);
    const events = run[0]?.events ?? [];
    const startedAt = events[0]?.timestamp?.getTime() ?? 0;
    const fresh = run
      .flatMap((execution) => {
        const tasks = tasksOf(execution.events);
        const seen = handed.get(execution.executionArn) ?? 0;
        handed.set(execution.executionArn, tasks.length);
        return tasks.slice(seen);
      })
      .sort((a, b) => a.endedAt - b.endedAt);
    for (const task of fresh) {
      const line = progressLine(task, startedAt);
      if (!line) continue;
      deps.onStep({
        state: task.state,
        endedAt: new Date(task.endedAt).toISOString(),
        line,
        ...(task.error ? { error: task.error } : { output: task.output }),
      });
    }
    const end = executionEnd(events);
    if (end?.type && end.type in endStatus) {
      const failure =
        end.executionFailedEventDetails ??
        end.executionTimedOutEventDetails ??
        end.executionAbortedEventDetails;
      return {
        executionArn,
        status: endStatus[end.type as keyof typeof endStatus],
        ...(failure?.error ? { error: failure.error } : {}),
        ...(failure?.cause ? { cause: failure.cause } : {}),
      };
    }
    await deps.sleep(deps.pollMs ?? 15_000);
  }
}

/** What `eks-upgrade approve` did: which wait it answered, how, and as whom. */
export interface ApprovalAnswer {
  decision: 'approved' | 'rejected';
  by: string;
  /** When the wait began (its TaskScheduled event). */
  waitingSince: string;
}

/**
 * `eks-upgrade approve`: answers the approval the execution waits for. The token is in the wait
 * task's parameters in the execution's history; the answer names the caller (STS), so the history
 * records who approved or rejected, and why.
 * @throws Error when nothing in the execution waits for an approval.
 */
export async function approveCommand(
  executionArn: string,
  deps: { sfn: SFNClient; sts: STSClient; now?: () => Date },
  rejection?: string,
): Promise<ApprovalAnswer> {
  const waiting = await pendingApproval(executionArn, deps.sfn);
  if (!waiting)
    throw new Error(
      `Execution ${executionArn} is not waiting for an approval (or its wait was answered already).`,
    );
  const { Arn: by = 'unknown caller' } = await deps.sts.send(new GetCallerIdentityCommand({}));
  const at = (deps.now ?? (() => new Date()))().toISOString();
  if (rejection === undefined) {
    await deps.sfn.send(
      new SendTaskSuccessCommand({
        taskToken: waiting.token,
        output: JSON.stringify({ approvedBy: by, approvedAt: at }),
      }),
    );
  } else {
    await deps.sfn.send(
      new SendTaskFailureCommand({
        taskToken: waiting.token,
        error: 'UpgradeRejectedError',
        cause: `Rejected by ${by} at ${at}: ${rejection || 'no reason given'}. Nothing after the approval point was started.`,
      }),
    );
  }
  return { decision: rejection === undefined ? 'approved' : 'rejected', by, waitingSince: waiting.since };
}

/** The newest `.waitForTaskToken` publish of the execution, if nothing answered it yet: its token. */
async function pendingApproval(
  executionArn: string,
  sfn: SFNClient,
): Promise<{ token: string; since: string } | undefined> {
  const waits = (type: string | undefined, resource: string | undefined) =>
    resource === 'publish.waitForTaskToken' && type !== undefined;
  for await (const page of paginateGetExecutionHistory(
    { client: sfn, pageSize: 200 },
    { executionArn, reverseOrder: true },
  )) {
    for (const event of page.events ?? []) {
      const ended =
        event.taskSucceededEventDetails ?? event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
      if (ended && waits(event.type, ended.resource)) return undefined;
      const scheduled = event.taskScheduledEventDetails;
      if (scheduled && waits(event.type, scheduled.resource)) {
        const parameters = JSON.parse(scheduled.parameters ?? '{}') as {
          MessageAttributes?: { taskToken?: { StringValue?: string } };
        };
        const token = parameters.MessageAttributes?.taskToken?.StringValue;
        return token ? { token, since: event.timestamp?.toISOString() ?? '' } : undefined;
      }
    }
  }
  return undefined;
}

import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { isStepOutput, stepName } from '../format/run-text.ts';
import type { UpdateProgress, UpgradePlan } from '../functions/shared/types.ts';
import type { RunReportData } from '../report/index.ts';
import type { RunSummary, TaskRecord } from '../report/run-summary.ts';
import { type ExecutionEvents, runTasksOf } from './commands.ts';

interface VerificationOutput {
  version?: string;
  nodegroups?: Array<{ name: string; version: string; releaseVersion: string }>;
}

/**
 * The run report of a real execution, from its histories alone (its own first, then its stage and
 * roll executions'): the plan, each update with its duration (from the check that saw it end),
 * versions before and after, the outcome. Nodes replaced is an estimate there (every node of a node
 * group per rolling update): EKS keeps no count.
 */
export function reportFromHistory(run: ExecutionEvents[]): RunReportData {
  const events = run[0]?.events ?? [];
  const every = run.flatMap((execution) => execution.events);
  const start = events[0]?.timestamp?.getTime() ?? 0;
  const end = events.at(-1)?.timestamp?.getTime() ?? start;
  const tasks: TaskRecord[] = runTasksOf(run).map(({ executionArn: _, ...task }) => ({
    ...task,
    startedAt: task.startedAt ?? task.endedAt,
  }));
  const outputOf = (state: string) => tasks.find((task) => task.state === state)?.output;
  const plan = outputOf('Plan Upgrade') as UpgradePlan | undefined;
  const verification = outputOf('Verify Cluster') as VerificationOutput | undefined;

  const last = new Map<string, UpdateProgress>();
  for (const task of tasks) {
    if (isStepOutput(task.output))
      last.set(`${stepName(task.output)}/${task.output.target}`, task.output as UpdateProgress);
  }
  const second = (iso: string | null | undefined, fallback: number) =>
    Math.round(((iso ? Date.parse(iso) : fallback) - start) / 1000);
  const steps: RunSummary['steps'] = [...last.values()].map((step) => {
    const startSecond = second(step.startedAt, start);
    const endSecond = second(step.finishedAt, step.startedAt ? end : start);
    return {
      name: stepName(step),
      kind: step.kind,
      target: step.target,
      updateId: step.updateId,
      status: step.status,
      adopted: step.adopted,
      simulatedSeconds: Math.max(0, endSecond - startSecond),
      startSecond,
      endSecond,
    };
  });

  const nodegroups = (plan?.nodegroups ?? []).map((nodegroup) => {
    const after = verification?.nodegroups?.find((candidate) => candidate.name === nodegroup.name);
    const rotations = steps.filter(
      (step) => step.name === `node group ${nodegroup.name}` && step.updateId && step.status === 'Successful',
    ).length;
    return {
      name: nodegroup.name,
      from: nodegroup.currentVersion,
      to: after?.version ?? nodegroup.currentVersion,
      releaseFrom: nodegroup.releaseVersion,
      releaseTo: after?.releaseVersion ?? nodegroup.releaseVersion,
      rotations,
      instancesReplaced: rotations * nodegroup.desiredSize,
    };
  });

  const summary: RunSummary = {
    cluster: plan?.clusterName ?? 'unknown',
    from: plan?.currentVersion ?? 'unknown',
    to: verification?.version ?? plan?.currentVersion ?? 'unknown',
    ...outcome(events),
    dryRun: plan?.dryRun ?? false,
    steps,
    nodegroups,
    stateTransitions: every.filter((event) => event.type?.endsWith('StateEntered')).length,
    lambdaInvocations: every.filter((event) => event.type === 'LambdaFunctionScheduled').length,
    historyEvents: Math.max(0, ...run.map((execution) => execution.events.length)),
    maxPayloadBytes: largestPayload(every),
    simulatedSeconds: Math.round((end - start) / 1000),
    wallSeconds: Math.round((end - start) / 1000),
    mutatingCalls: steps.filter((step) => step.updateId && !step.adopted).length,
    invariantViolations: [],
    ...(plan ? { plan } : {}),
  };
  return {
    summary,
    tasks,
    runStartedAt: start,
    ...(plan?.deadline ? { deadline: Date.parse(plan.deadline) } : {}),
  };
}

function outcome(events: HistoryEvent[]): Pick<RunSummary, 'status' | 'error' | 'cause'> {
  const end = events.at(-1);
  if (end?.type === 'ExecutionFailed') {
    return {
      status: 'FAILED',
      error: end.executionFailedEventDetails?.error ?? 'Unknown',
      cause: end.executionFailedEventDetails?.cause ?? '',
    };
  }
  if (end?.type === 'ExecutionSucceeded') {
    const output = JSON.parse(end.executionSucceededEventDetails?.output ?? 'null') as {
      deferral?: { Error?: string; Cause?: string };
    } | null;
    if (output?.deferral)
      return {
        status: 'DEFERRED',
        error: output.deferral.Error ?? 'UpgradeDeferredError',
        cause: output.deferral.Cause ?? '',
      };
    return { status: 'SUCCEEDED' };
  }
  return {
    status: end?.type === 'ExecutionAborted' ? 'ABORTED' : 'FAILED',
    error: 'NotEnded',
    cause: `The execution has not ended (${end?.type ?? 'no history'}).`,
  };
}

/** The largest input or output an event of the history carries, UTF-8 bytes. */
function largestPayload(events: HistoryEvent[]): number {
  let largest = 0;
  for (const event of events) {
    for (const value of Object.values(event)) {
      if (typeof value !== 'object' || value === null || value instanceof Date) continue;
      const { input, output } = value as { input?: unknown; output?: unknown };
      for (const text of [input, output])
        if (typeof text === 'string') largest = Math.max(largest, Buffer.byteLength(text, 'utf8'));
    }
  }
  return largest;
}

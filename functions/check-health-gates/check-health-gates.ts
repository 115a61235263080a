import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  StateValue,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeInsightsRefreshCommand,
  type EKSClient,
  paginateListAddons,
  paginateListInsights,
  StartInsightsRefreshCommand,
} from '@aws-sdk/client-eks';
import { isAwsError } from '../shared/errors.ts';
import { pollCeilingSeconds, pollFloorSeconds } from '../shared/polling.ts';
import type { BakePlan, GateState } from '../shared/types.ts';
import { lastVersionChange } from '../shared/version-history.ts';
import { formatMinor, nextMinor, parseMinor } from '../shared/versions.ts';

export interface CheckHealthGatesEvent {
  clusterName: string;
  bake: BakePlan;
  hop: { from: string; to: string };
  /** When the hop's update was seen to end (Check Update's finishedAt); null when this run found it done. */
  hopFinishedAt: string | null;
  /** The previous check's answer; NotStarted before the first. */
  previous: GateState | { status: 'NotStarted' };
}

export interface CheckHealthGatesDeps {
  eks: EKSClient;
  cloudWatch: CloudWatchClient;
  now: () => Date;
}

/** EKS's rollback window: a rollback must start within 7 days of the upgrade (EKS-FACTS 7.1). */
const rollbackWindowMs = 7 * 24 * 3600 * 1000;

/** About this many looks per bake, each within the update-polling floor and ceiling. */
const checksPerBake = 20;

/** After the bake, how long the gate waits at most for its insights refresh before passing without it. */
const insightsGraceMs = 10 * 60 * 1000;

/** At most this many warnings ride along in the state (the payload stays small). */
const warningsKept = 10;

/**
 * One look at a hop's gates while it bakes: the named alarms (ALARM fails; INSUFFICIENT_DATA is
 * reported), the cluster's and add-ons' health issues, and, from the refresh it asks for at the
 * first look, the insights (ROLLBACK_READINESS: could the hop still be rolled back; UPGRADE_READINESS
 * for the next hop). Passed once the bake has lasted its minutes with nothing failed.
 */
export async function checkHealthGates(
  event: CheckHealthGatesEvent,
  deps: CheckHealthGatesDeps,
): Promise<GateState> {
  const now = deps.now();
  const state = event.previous.status === 'NotStarted' ? await firstLook(event, deps, now) : event.previous;
  const failures: Array<{ gate: string; cause: string }> = [];
  const warnings = new Set(state.warnings);

  for (const alarm of await readAlarms(deps.cloudWatch, event.bake.alarms)) {
    if (alarm.state === StateValue.ALARM)
      failures.push({ gate: `alarm ${alarm.name}`, cause: alarm.reason.replace(/\.+$/, '') });
    else if (alarm.state === StateValue.INSUFFICIENT_DATA)
      warnings.add(`alarm ${alarm.name} has INSUFFICIENT_DATA (not failed)`);
    else if (alarm.state === 'missing')
      failures.push({
        gate: `alarm ${alarm.name}`,
        cause: 'the alarm no longer exists, so the gate cannot see it',
      });
  }
  for (const issue of await healthIssues(deps.eks, event.clusterName)) {
    // A plan made before known issues were recorded has none.
    if ((event.bake.knownIssues ?? []).includes(issue.key))
      warnings.add(`${issue.gate}: ${issue.cause} (there before the upgrade; not failed)`);
    else if (event.bake.failOnHealthIssues) failures.push(issue);
    else warnings.add(`${issue.gate}: ${issue.cause} (not failed: failOnHealthIssues is off)`);
  }
  const insights = state.rollbackBlockers === null ? await readInsights(deps.eks, event, state) : undefined;
  for (const warning of insights?.warnings ?? []) warnings.add(warning);

  const checked: GateState = {
    ...state,
    checks: state.checks + 1,
    rollbackBlockers: insights?.rollbackBlockers ?? state.rollbackBlockers,
    warnings: [...warnings].slice(0, warningsKept),
  };
  const [first] = failures;
  if (first) {
    const sinceHop = Math.max(0, Math.round((now.getTime() - Date.parse(checked.hopFinishedAt)) / 60_000));
    const cause = `Health gate failed ${minutesInto(checked, event.bake, now)} min into the ${event.bake.minutes}-minute bake (${sinceHop} min after the control plane's hop ${event.hop.from} -> ${event.hop.to}) on cluster ${event.clusterName}: ${failures.map((f) => `${f.gate}: ${f.cause}`).join('; ')}.`;
    return {
      ...checked,
      status: 'Failed',
      nextWaitSeconds: 0,
      failure: { error: 'HealthGateFailedError', gate: first.gate, cause },
    };
  }
  const bakeLeftMs = Date.parse(checked.bakeUntil) - now.getTime();
  const insightsDue =
    checked.rollbackBlockers === null &&
    checked.insightsRefreshStartedAt !== null &&
    bakeLeftMs > -insightsGraceMs;
  if (bakeLeftMs <= 0 && !insightsDue) return { ...checked, status: 'Passed', nextWaitSeconds: 0 };
  return {
    ...checked,
    status: 'Baking',
    nextWaitSeconds: Math.max(
      pollFloorSeconds,
      Math.min(intervalSeconds(event.bake), Math.ceil(bakeLeftMs / 1000)),
    ),
  };
}

/** The bake's first look: its times, and a fresh insights refresh (the hop changed what they read). */
async function firstLook(
  event: CheckHealthGatesEvent,
  { eks }: CheckHealthGatesDeps,
  now: Date,
): Promise<GateState> {
  const hopFinishedAt = event.hopFinishedAt ?? (await hopStart(eks, event)) ?? now.toISOString();
  const hopEnd = Date.parse(hopFinishedAt);
  let insightsRefreshStartedAt: string | null = now.toISOString();
  try {
    await eks.send(new StartInsightsRefreshCommand({ clusterName: event.clusterName }));
  } catch (error) {
    // Refused in the cluster's current state: the gate goes on without insights.
    if (!isAwsError(error, 'InvalidRequestException')) throw error;
    insightsRefreshStartedAt = null;
  }
  return {
    status: 'Baking',
    hop: event.hop,
    hopFinishedAt,
    rollbackPossibleUntil: new Date(hopEnd + rollbackWindowMs).toISOString(),
    // The bake starts once the hop's add-ons are done too: from this first look.
    bakeUntil: new Date(now.getTime() + event.bake.minutes * 60_000).toISOString(),
    nextWaitSeconds: 0,
    checks: 0,
    insightsRefreshStartedAt,
    rollbackBlockers: null,
    warnings: [],
  };
}

/**
 * A hop this run found done (a rerun, a redrive) has no end time here: its update's start stands in,
 * which only makes the rollback window look shorter than EKS's, never longer.
 */
async function hopStart(eks: EKSClient, event: CheckHealthGatesEvent): Promise<string | undefined> {
  const change = await lastVersionChange(eks, event.clusterName);
  return change?.type === 'VersionUpdate' && change.version === event.hop.to
    ? change.createdAt.toISOString()
    : undefined;
}

function intervalSeconds(bake: BakePlan): number {
  return Math.min(
    pollCeilingSeconds,
    Math.max(pollFloorSeconds, Math.round((bake.minutes * 60) / checksPerBake)),
  );
}

/** Whole minutes since the bake began (its end less its length). */
function minutesInto(state: GateState, bake: BakePlan, now: Date): number {
  const began = Date.parse(state.bakeUntil) - bake.minutes * 60_000;
  return Math.max(0, Math.round((now.getTime() - began) / 60_000));
}

interface AlarmReading {
  name: string;
  state: MetricAlarm['StateValue'] | 'missing';
  reason: string;
}

/** Metric and composite alarms by name; one the account no longer has is 'missing'. */
async function readAlarms(cloudWatch: CloudWatchClient, names: string[]): Promise<AlarmReading[]> {
  if (names.length === 0) return [];
  const { MetricAlarms = [], CompositeAlarms = [] } = await cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  const found = [...MetricAlarms, ...CompositeAlarms];
  return names.map((name) => {
    const alarm = found.find((candidate) => candidate.AlarmName === name);
    return alarm
      ? { name, state: alarm.StateValue, reason: alarm.StateReason ?? `entered ${alarm.StateValue}` }
      : { name, state: 'missing', reason: '' };
  });
}

/** Health issues EKS reports on the cluster and on each managed add-on, keyed as the plan keys them. */
async function healthIssues(
  eks: EKSClient,
  clusterName: string,
): Promise<Array<{ gate: string; cause: string; key: string }>> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const issues = (cluster?.health?.issues ?? []).map((issue) => ({
    gate: `cluster ${clusterName} health`,
    cause: `${issue.code ?? 'issue'}: ${issue.message ?? ''}`.trim(),
    key: `cluster:${issue.code ?? 'issue'}`,
  }));
  const names: string[] = [];
  for await (const page of paginateListAddons({ client: eks }, { clusterName }))
    names.push(...(page.addons ?? []));
  for (const addonName of names) {
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
    for (const issue of addon?.health?.issues ?? []) {
      issues.push({
        gate: `add-on ${addonName} health`,
        cause: `${issue.code ?? 'issue'}: ${issue.message ?? ''}`.trim(),
        key: `addon:${addonName}:${issue.code ?? 'issue'}`,
      });
    }
  }
  return issues;
}

/**
 * The insights, once the refresh the gate asked for has ended: what blocks a rollback
 * (ROLLBACK_READINESS in ERROR or UNKNOWN) and what the next hop's upgrade gate would report.
 * Undefined while the refresh runs.
 */
async function readInsights(
  eks: EKSClient,
  event: CheckHealthGatesEvent,
  state: GateState,
): Promise<{ rollbackBlockers: string[]; warnings: string[] } | undefined> {
  if (state.insightsRefreshStartedAt === null) return undefined;
  const refresh = await eks.send(new DescribeInsightsRefreshCommand({ clusterName: event.clusterName }));
  if (refresh.status === 'IN_PROGRESS') return undefined;
  const rollbackBlockers: string[] = [];
  const warnings: string[] = [];
  const next = parseMinor(event.hop.to);
  const nextHop = next ? formatMinor(nextMinor(next)) : undefined;
  const filter = { categories: ['ROLLBACK_READINESS' as const, 'UPGRADE_READINESS' as const] };
  for await (const page of paginateListInsights(
    { client: eks },
    { clusterName: event.clusterName, filter },
  )) {
    for (const insight of page.insights ?? []) {
      const status = insight.insightStatus?.status ?? 'UNKNOWN';
      const text = `${insight.name ?? insight.id}: ${insight.insightStatus?.reason ?? ''}`.trim();
      if (insight.category === 'ROLLBACK_READINESS' && (status === 'ERROR' || status === 'UNKNOWN'))
        rollbackBlockers.push(text);
      if (
        insight.category === 'UPGRADE_READINESS' &&
        insight.kubernetesVersion === nextHop &&
        status === 'ERROR'
      )
        warnings.push(`insight for the next hop to ${nextHop}: ${text}`);
    }
  }
  return { rollbackBlockers, warnings };
}

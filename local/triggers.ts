// The triggers of the product, run locally: AMI release watches on their schedule, and upgrade
// windows of the fleet state machine. Each step is what AWS would do, on simulated time.
import type { ExecutionResult, LocalAws } from './harness/local-aws.ts';
import type { Scenario } from './simulator/index.ts';

export type Trigger = NonNullable<Scenario['trigger']>;

export interface TriggerStep {
  at: number;
  what: string;
}

export interface TriggerRun {
  steps: TriggerStep[];
  /** The executions the triggers caused, cluster upgrades and fleet runs alike, in start order. */
  executions: ExecutionResult[];
}

/**
 * Runs a scenario's trigger to its end. A dry run plans what the trigger would do and changes
 * nothing: the fleet plans every cluster; the watcher says what it would announce, and each
 * cluster it names is planned instead of refreshed.
 */
export async function runTrigger(
  aws: LocalAws,
  trigger: Trigger,
  say: (line: string) => void,
  { dryRun }: { dryRun: boolean } = { dryRun: false },
): Promise<TriggerRun> {
  const steps: TriggerStep[] = [];
  const note = (what: string, at = aws.now()) => {
    steps.push({ at, what });
    say(`${new Date(at).toISOString().slice(0, 16).replace('T', ' ')}  ${what}`);
  };
  if (trigger.kind === 'ami-release') {
    if (dryRun) await planReleaseRefreshes(aws, trigger, note);
    else await watchForReleases(aws, trigger, note);
  } else await runWindows(aws, trigger, note, dryRun);
  const executions = await Promise.all(aws.executionsSoFar().map((execution) => execution.result));
  return { steps, executions };
}

async function planReleaseRefreshes(
  aws: LocalAws,
  trigger: Extract<Trigger, { kind: 'ami-release' }>,
  note: (what: string, at?: number) => void,
): Promise<void> {
  const planned = new Set<string>();
  for (let watch = 0; watch < trigger.watches; watch += 1) {
    if (watch > 0) await aws.advance(trigger.watchEverySeconds);
    const invocation = await aws.invoke('WatchAmiReleasesFunction', {
      source: 'aws.scheduler',
      scheduledTime: new Date(aws.now()).toISOString(),
      dryRun: true,
    });
    const releases =
      (invocation.output as { published?: Array<{ releaseVersion: string; clusters: string[] }> } | null)
        ?.published ?? [];
    note(
      releases.length
        ? `Watch AMI Releases (dry run): would announce ${releases.map((release) => `${release.releaseVersion} (${release.clusters.join(', ')})`).join('; ')}`
        : `Watch AMI Releases (dry run): nothing to announce${invocation.error ? ` (${invocation.error})` : ''}`,
      invocation.at,
    );
    const clusters = [...new Set(releases.flatMap((release) => release.clusters))].filter(
      (clusterName) => !planned.has(clusterName),
    );
    for (const clusterName of clusters) planned.add(clusterName);
    await Promise.all(
      clusters.map((clusterName) =>
        aws.execute({ clusterName, dryRun: true }, { executionName: `${clusterName}-ami-refresh-plan` }),
      ),
    );
    if (clusters.length > 0) note(`Planned the AMI refresh of ${clusters.join(', ')} (nothing changed)`);
  }
}

async function watchForReleases(
  aws: LocalAws,
  trigger: Extract<Trigger, { kind: 'ami-release' }>,
  note: (what: string, at?: number) => void,
): Promise<void> {
  for (let watch = 0; watch < trigger.watches; watch += 1) {
    if (watch > 0) await aws.advance(trigger.watchEverySeconds);
    // As the schedule's input: its scheduled time, which bounds the interval the watch covers.
    const invocation = await aws.invoke('WatchAmiReleasesFunction', {
      source: 'aws.scheduler',
      scheduledTime: new Date(aws.now()).toISOString(),
    });
    const published = (
      invocation.output as { published?: Array<{ releaseVersion: string; clusters: string[] }> } | null
    )?.published;
    note(
      published?.length
        ? `Watch AMI Releases: announced ${published.map((release) => `${release.releaseVersion} (${release.clusters.join(', ')})`).join('; ')}`
        : `Watch AMI Releases: nothing new${invocation.error ? ` (${invocation.error})` : ''}`,
      invocation.at,
    );
    for (const delivery of aws.invocations.filter(
      (candidate) => candidate.functionId === 'OnAmiReleaseFunction' && candidate.at >= invocation.at,
    )) {
      note(`On AMI Release: ${describeStarts(delivery.output)}`, delivery.at);
    }
  }
  // SNS delivers at least once: the same message again must start nothing.
  const delivered = aws.invocations.find((candidate) => candidate.functionId === 'OnAmiReleaseFunction');
  if (delivered) {
    const again = await aws.invoke('OnAmiReleaseFunction', delivered.event);
    note(`On AMI Release, same message delivered again: ${describeStarts(again.output)}`, again.at);
  }
}

/** Each cluster's line of the fleet's own summary, as its notification says it. */
function clusterOutcomes(result: ExecutionResult): string {
  const summary =
    result.status === 'SUCCEEDED'
      ? (result.output as { summary?: { message?: string } } | undefined)?.summary?.message
      : result.cause;
  // One cluster a line, with the error (or why it did not start) under it.
  return (summary ?? '')
    .split('\n')
    .filter((line) => line.startsWith('- ') || line.startsWith('  '))
    .map((line) => `\n             ${line}`)
    .join('');
}

function describeStarts(output: unknown): string {
  const result = output as { started?: string[]; alreadyStarted?: string[]; rejected?: unknown[] } | null;
  const parts = [
    ...(result?.started?.length ? [`started ${result.started.join(', ')}`] : []),
    ...(result?.alreadyStarted?.length
      ? [`already started ${result.alreadyStarted.join(', ')} (nothing new)`]
      : []),
    ...(result?.rejected?.length ? [`rejected ${result.rejected.length} message(s)`] : []),
  ];
  return parts.join('; ') || 'nothing to do';
}

async function runWindows(
  aws: LocalAws,
  trigger: Extract<Trigger, { kind: 'window' }>,
  note: (what: string) => void,
  dryRun: boolean,
): Promise<void> {
  const first = aws.now();
  const fleetRun = async (windowStart: number, executionName: string) => {
    const window = { start: new Date(windowStart).toISOString(), minutes: trigger.windowMinutes };
    note(
      `Upgrade window opens (${trigger.windowMinutes} min): fleet execution ${executionName}${dryRun ? ' (dry run: plans only)' : ''}`,
    );
    const result = await aws.execute(
      {
        ...(trigger.fleet ? { clusters: trigger.fleet } : {}),
        ...trigger.input,
        window,
        ...(dryRun ? { dryRun: true } : {}),
      },
      { stateMachine: 'UpgradeFleetStateMachine', executionName },
    );
    note(`Fleet execution ${executionName} ${result.status}: ${clusterOutcomes(result)}`);
  };
  // A plan of the first window says what the windows would do; later windows would plan the same.
  const windows = dryRun ? 1 : trigger.windows;
  for (let window = 0; window < windows; window += 1) {
    const start = first + window * trigger.everySeconds * 1000;
    if (start > aws.now()) await aws.advance((start - aws.now()) / 1000);
    await fleetRun(start, `fleet-window-${window + 1}`);
  }
  if (trigger.repeatLastWindow && !dryRun) {
    const start = first + (trigger.windows - 1) * trigger.everySeconds * 1000;
    await fleetRun(start, `fleet-window-${trigger.windows}-repeated`);
  }
}

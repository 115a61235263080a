// eks-upgrade: plan (read-only), start and watch upgrades by hand, against real AWS or --endpoint-url.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, CommanderError, Option } from 'commander';
import { writeRunReport } from '../report/index.ts';
import { type ClientOptions, clientsFor } from './clients.ts';
import {
  approveCommand,
  type ExecutionEnd,
  findStateMachine,
  formatEnd,
  formatPlan,
  listCommand,
  planCommand,
  type RequestOptions,
  readRun,
  requestOf,
  startCommand,
  type UpgradeRequest,
  watchCommand,
} from './commands.ts';
import { reportFromHistory } from './history-report.ts';

interface OutputOptions extends ClientOptions {
  output: 'table' | 'json';
}

/** What a command prints: the table (text) form, or its JSON form on one line for scripts. */
function emit(options: OutputOptions, json: unknown, text: () => string): void {
  console.log(options.output === 'json' ? JSON.stringify(json) : text());
}

/** Exit code = outcome: 0 only for an execution that succeeded. */
function exitWith(end: ExecutionEnd): void {
  process.exitCode = end.status === 'SUCCEEDED' ? 0 : 1;
}

/** Follows an execution to its end: each step as a line (JSON: one object per line), then the end. */
async function follow(executionArn: string, options: OutputOptions, pollMs?: number): Promise<void> {
  const end = await watchCommand(executionArn, {
    sfn: clientsFor(options).sfn(),
    onStep: (step) => emit(options, { type: 'step', ...step }, () => step.line),
    sleep,
    ...(pollMs === undefined ? {} : { pollMs }),
  });
  emit(options, { type: 'end', ...end }, () => formatEnd(end));
  exitWith(end);
}

/**
 * The input of `start`: the --input file's fields, with every flag given over them (a --target left
 * at its default "next" leaves the file's target).
 */
function startRequest(options: Partial<RequestOptions> & { input?: string }): UpgradeRequest {
  const fromFile = options.input
    ? (JSON.parse(readFileSync(options.input, 'utf8')) as Partial<UpgradeRequest>)
    : {};
  const cluster = options.cluster ?? fromFile.clusterName;
  if (!cluster) throw new Error('Name the cluster: --cluster <name>, or "clusterName" in --input.');
  const fileTarget = options.target === 'next' ? fromFile.targetVersion : undefined;
  const flags = requestOf({ ...options, cluster, ...(fileTarget ? { target: fileTarget } : {}) });
  return { ...fromFile, ...flags };
}

/** Starts an execution of the deployed state machine, prints its ARN, and follows it if asked (exit code = outcome). */
async function startExecution(
  request: UpgradeRequest,
  options: OutputOptions & { stateMachineArn?: string; stack?: string; watch?: boolean },
): Promise<void> {
  const clients = clientsFor(options);
  const stateMachineArn = await findStateMachine(options, clients.cloudFormation());
  const executionArn = await startCommand(request, stateMachineArn, clients.sfn());
  emit(options, { type: 'started', executionArn, stateMachineArn, input: request }, () => executionArn);
  if (options.watch) await follow(executionArn, options);
}

// Commander's own usage errors (a missing or unknown flag) reach the catch below instead of exiting
// 1 with its own text, so they exit 2 and speak JSON like every other failure; the subcommands
// inherit both settings.
const program = new Command('eks-upgrade')
  .description('Plan, start and watch unattended EKS upgrades.')
  .exitOverride()
  .configureOutput({ outputError: () => undefined });
const common = (command: Command) =>
  command
    .addOption(new Option('--region <region>', 'AWS region (default: the SDK default chain)'))
    .addOption(new Option('--endpoint-url <url>', 'send every AWS call here (e.g. the local simulator)'))
    .addOption(
      new Option('--output <format>', 'table for people, json for scripts (one JSON value per line)')
        .choices(['table', 'json'])
        .default('table'),
    );

/** The flags that make the execution input, every field of it: `plan` and `start` take the same. */
const requestFlags = (command: Command) =>
  command
    .option('--target <version>', '1.30, next, latest, standard, or none for an AMI refresh', 'next')
    .option('--nodegroup <name...>', 'only these managed node groups')
    .option('--force', 'evict pods past pod disruption budgets')
    .option('--dry-run', 'plan only')
    .option('--release-version <release>', 'pin the AMI release the node groups end on')
    .option(
      '--launch-template-version <nodegroup=version...>',
      'move custom-AMI node groups to these versions',
    )
    .option('--accept-insight-errors', 'upgrade although upgrade insights report errors')
    .option(
      '--accept-unmanaged-skew',
      'go on although nodes outside managed node groups would break the skew rule',
    )
    .option('--concurrency <n>', 'node groups rolled at once (maxConcurrentNodegroups)')
    .option('--max-unavailable <n>', "nodes each group replaces at once during this run's rolls")
    .option('--max-unavailable-percentage <n>', 'the same, as a percentage of the group')
    .option('--update-strategy <DEFAULT|MINIMAL>', "the rolls' update strategy")
    .option('--deadline <iso>', 'no step starts that cannot end before this time')
    .option('--window-start <iso>', 'an upgrade window: its start (with --window-minutes)')
    .option('--window-minutes <n>', 'an upgrade window: its length; no step starts that cannot end in it')
    .option('--bake-minutes <n>', 'after each hop, bake this long before node groups follow')
    .option('--bake-alarm <name...>', 'CloudWatch alarms that fail the bake when in ALARM')
    .option('--bake-ignore-health-issues', "a bake fails on alarms only, not on EKS's health issues")
    .option('--on-gate-failure <stop|rollback>', 'what a failed bake does (default stop)')
    .option('--acknowledge-gate-failure', "go on although the cluster's last run stopped at a failed gate")
    .option('--replace-al2 [amiType]', 'replace AL2 node groups (default: their AL2023 counterpart AMI type)')
    .option('--replacement-name-pattern <pattern>', "the replacements' names, with {name} for the old one")
    .option(
      '--replacement-launch-template-version <nodegroup=version...>',
      "a replacement's launch template version",
    )
    .option('--approval <mode>', 'wait for eks-upgrade approve: before-upgrade or before-each-hop')
    .option('--role-arn <arn>', 'a cluster in another account: the role the steps assume (AssumableRoleArns)')
    .option('--no-notify', 'send no SNS notification');

common(
  requestFlags(
    program
      .command('plan')
      .description('Show what an upgrade would do; read-only.')
      .requiredOption('--cluster <name>', 'EKS cluster'),
  ),
).action(async (options: OutputOptions & RequestOptions) => {
  const plan = await planCommand(requestOf(options), clientsFor(options).planReads());
  emit(options, plan, () => formatPlan(plan));
});

common(
  requestFlags(
    program
      .command('start')
      .description('Start an upgrade execution on the deployed state machine.')
      .option('--cluster <name>', 'EKS cluster (or in --input)')
      .option('--input <file>', 'the execution input as JSON; flags given as well win'),
  )
    .option('--state-machine-arn <arn>', 'the upgrade-cluster state machine')
    .option('--stack <name>', 'the SAM stack whose outputs name it', 'eks-upgrade')
    .option('--watch', 'then follow it'),
).action(
  async (
    options: OutputOptions &
      Partial<RequestOptions> & {
        input?: string;
        stateMachineArn?: string;
        stack?: string;
        watch?: boolean;
      },
  ) => {
    await startExecution(startRequest(options), options);
  },
);

common(
  program
    .command('rollback')
    .description(
      "Take a cluster's last upgrade back: its add-ons, then the control plane to the previous minor (EKS allows it within 7 days of an in-place upgrade; node groups must not run the newer version).",
    )
    .requiredOption('--cluster <name>', 'EKS cluster')
    .option('--role-arn <arn>', 'a cluster in another account: the role the steps assume (AssumableRoleArns)')
    .option('--dry-run', 'plan the rollback only: check EKS rules, change nothing')
    .option('--no-notify', 'send no SNS notification')
    .option('--state-machine-arn <arn>', 'the upgrade-cluster state machine')
    .option('--stack <name>', 'the SAM stack whose outputs name it', 'eks-upgrade')
    .option('--watch', 'then follow it'),
).action(
  async (
    options: OutputOptions & {
      cluster: string;
      roleArn?: string;
      dryRun?: boolean;
      notify?: boolean;
      stateMachineArn?: string;
      stack?: string;
      watch?: boolean;
    },
  ) => {
    const request: UpgradeRequest = {
      clusterName: options.cluster,
      rollback: true,
      ...(options.roleArn ? { roleArn: options.roleArn } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.notify === false ? { notify: false } : {}),
    };
    await startExecution(request, options);
  },
);

common(
  program
    .command('approve')
    .description('Answer the approval an execution waits for: approve it, or --reject it with a reason.')
    .argument('<execution-arn>', 'the waiting upgrade execution')
    .option('--reject <reason>', 'reject instead, saying why'),
).action(async (executionArn: string, options: OutputOptions & { reject?: string }) => {
  const clients = clientsFor(options);
  const answer = await approveCommand(
    executionArn,
    { sfn: clients.sfn(), sts: clients.sts() },
    options.reject,
  );
  emit(
    options,
    { executionArn, ...answer },
    () => `${answer.decision} as ${answer.by} (waiting since ${answer.waitingSince})`,
  );
});

common(
  program
    .command('list')
    .description('Recent upgrades: cluster, versions, outcome, duration (newest first).')
    .option('--state-machine-arn <arn>', 'the upgrade-cluster state machine')
    .option('--stack <name>', 'the SAM stack whose outputs name it', 'eks-upgrade')
    .option('--limit <n>', 'how many', '20'),
).action(async (options: OutputOptions & { stateMachineArn?: string; stack?: string; limit: string }) => {
  const clients = clientsFor(options);
  const arn = await findStateMachine(options, clients.cloudFormation());
  const rows = await listCommand(arn, clients.sfn(), Number(options.limit));
  emit(options, rows, () =>
    rows
      .map((row) => {
        const took = row.minutes === null ? 'running' : `${row.minutes} min`;
        return `${row.startedAt.slice(0, 16)}  ${row.cluster}  ${row.from} -> ${row.to}  ${row.outcome}${row.error ? ` (${row.error})` : ''}  ${took}  ${row.name}`;
      })
      .join('\n'),
  );
});

common(
  program
    .command('watch')
    .description(
      'Follow an execution: each step as it happens, until it ends (exit code 0 only if it succeeded).',
    )
    .argument('<execution-arn>', 'the execution')
    .option('--interval <seconds>', 'seconds between polls', '15'),
).action(async (executionArn: string, options: OutputOptions & { interval: string }) => {
  await follow(executionArn, options, Number(options.interval) * 1000);
});

common(
  program
    .command('report')
    .description("Write an execution's run report: timeline, plan and outcome, one HTML file.")
    .argument('<execution-arn>', 'the execution')
    .option('--out <path>', 'where to write it', 'eks-upgrade-report.html'),
).action(async (executionArn: string, options: OutputOptions & { out: string }) => {
  const run = await readRun(clientsFor(options).sfn(), executionArn);
  const path = await writeRunReport(reportFromHistory(run), options.out);
  emit(options, { executionArn, path }, () => path);
});

// Exit code 2: the command itself failed (bad input, a refusal, a missing permission); with
// --output json the error is one JSON object on stderr.
program.parseAsync().catch((error: unknown) => {
  // --help and --version end as a CommanderError too, having printed what was asked.
  if (error instanceof CommanderError && error.exitCode === 0) return;
  const usage = error instanceof CommanderError;
  const name = usage ? 'UsageError' : error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message.replace(/^error: /, '') : String(error);
  const args = process.argv.join(' ');
  console.error(
    /--output[= ]json\b/.test(args) ? JSON.stringify({ error: name, message }) : `${name}: ${message}`,
  );
  process.exitCode = 2;
});

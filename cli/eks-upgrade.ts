// eks-upgrade: plan (read-only), start and watch upgrades by hand, against real AWS or --endpoint-url.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { Command, Option } from 'commander';
import { writeRunReport } from '../report/index.ts';
import {
  approveCommand,
  findStateMachine,
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

interface ClientOptions {
  region?: string;
  endpointUrl?: string;
}

function clientConfig(options: ClientOptions) {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
  };
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
  const keepFileTarget = fromFile.targetVersion !== undefined && options.target === 'next';
  const flags = requestOf({
    ...options,
    cluster,
    ...(keepFileTarget ? { target: fromFile.targetVersion } : {}),
  });
  return { ...fromFile, ...flags };
}

/** Starts an execution of the deployed state machine, prints its ARN, and follows it if asked (exit code = outcome). */
async function startExecution(
  request: UpgradeRequest,
  options: ClientOptions & { stateMachineArn?: string; stack?: string; watch?: boolean },
): Promise<void> {
  const config = clientConfig(options);
  const sfn = new SFNClient(config);
  const arn = await findStateMachine(options, new CloudFormationClient(config));
  const executionArn = await startCommand(request, arn, sfn);
  console.log(executionArn);
  if (!options.watch) return;
  const status = await watchCommand(executionArn, { sfn, print: (line) => console.log(line), sleep });
  process.exitCode = status === 'ExecutionSucceeded' ? 0 : 1;
}

const program = new Command('eks-upgrade').description('Plan, start and watch unattended EKS upgrades.');
const common = (command: Command) =>
  command
    .addOption(new Option('--region <region>', 'AWS region (default: the SDK default chain)'))
    .addOption(new Option('--endpoint-url <url>', 'send every AWS call here (e.g. the local simulator)'));

common(
  program
    .command('plan')
    .description('Show what an upgrade would do; read-only.')
    .requiredOption('--cluster <name>', 'EKS cluster')
    .option('--target <version>', '1.30, next, latest, standard, or none for an AMI refresh', 'next')
    .option('--nodegroup <name...>', 'only these managed node groups')
    .option('--json', 'print the plan as JSON'),
).action(
  async (
    options: ClientOptions & { cluster: string; target?: string; nodegroup?: string[]; json?: boolean },
  ) => {
    const config = clientConfig(options);
    const plan = await planCommand(requestOf(options), {
      eks: new EKSClient(config),
      ssm: new SSMClient(config),
      cloudWatch: new CloudWatchClient(config),
      autoScaling: new AutoScalingClient(config),
      ec2: new EC2Client(config),
    });
    console.log(options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
  },
);

common(
  program
    .command('start')
    .description('Start an upgrade execution on the deployed state machine.')
    .option('--cluster <name>', 'EKS cluster (or in --input)')
    .option('--input <file>', 'the execution input as JSON; flags given as well win')
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
    .option('--concurrency <n>', 'node groups rolled at once (maxConcurrentNodegroups)')
    .option('--deadline <iso>', 'no step starts that cannot end before this time')
    .option('--bake-minutes <n>', 'after each hop, bake this long before node groups follow')
    .option('--bake-alarm <name...>', 'CloudWatch alarms that fail the bake when in ALARM')
    .option('--on-gate-failure <stop|rollback>', 'what a failed bake does (default stop)')
    .option('--approval <mode>', 'wait for eks-upgrade approve: before-upgrade or before-each-hop')
    .option('--role-arn <arn>', 'a cluster in another account: the role the steps assume (AssumableRoleArns)')
    .option('--no-notify', 'send no SNS notification')
    .option('--state-machine-arn <arn>', 'the upgrade-cluster state machine')
    .option('--stack <name>', 'the SAM stack whose outputs name it', 'eks-upgrade')
    .option('--watch', 'then follow it'),
).action(
  async (
    options: ClientOptions &
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
    options: ClientOptions & {
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
).action(async (executionArn: string, options: ClientOptions & { reject?: string }) => {
  const config = clientConfig(options);
  const answer = await approveCommand(
    executionArn,
    { sfn: new SFNClient(config), sts: new STSClient(config) },
    options.reject,
  );
  console.log(`${answer.decision} as ${answer.by} (waiting since ${answer.waitingSince})`);
});

common(
  program
    .command('list')
    .description('Recent upgrades: cluster, versions, outcome, duration (newest first).')
    .option('--state-machine-arn <arn>', 'the upgrade-cluster state machine')
    .option('--stack <name>', 'the SAM stack whose outputs name it', 'eks-upgrade')
    .option('--limit <n>', 'how many', '20')
    .addOption(new Option('--output <format>', 'table or json').choices(['table', 'json']).default('table')),
).action(
  async (
    options: ClientOptions & { stateMachineArn?: string; stack?: string; limit: string; output: string },
  ) => {
    const config = clientConfig(options);
    const arn = await findStateMachine(options, new CloudFormationClient(config));
    const rows = await listCommand(arn, new SFNClient(config), Number(options.limit));
    if (options.output === 'json') {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    for (const row of rows) {
      const took = row.minutes === null ? 'running' : `${row.minutes} min`;
      console.log(
        `${row.startedAt.slice(0, 16)}  ${row.cluster}  ${row.from} -> ${row.to}  ${row.outcome}${row.error ? ` (${row.error})` : ''}  ${took}  ${row.name}`,
      );
    }
  },
);

common(
  program
    .command('watch')
    .description('Follow an execution: each step as it happens, until it ends.')
    .argument('<execution-arn>', 'the execution')
    .option('--interval <seconds>', 'seconds between polls', '15'),
).action(async (executionArn: string, options: ClientOptions & { interval: string }) => {
  const sfn = new SFNClient(clientConfig(options));
  const status = await watchCommand(executionArn, {
    sfn,
    print: (line) => console.log(line),
    sleep,
    pollMs: Number(options.interval) * 1000,
  });
  process.exitCode = status === 'ExecutionSucceeded' ? 0 : 1;
});

common(
  program
    .command('report')
    .description("Write an execution's run report: timeline, plan and outcome, one HTML file.")
    .argument('<execution-arn>', 'the execution')
    .option('--out <path>', 'where to write it', 'eks-upgrade-report.html'),
).action(async (executionArn: string, options: ClientOptions & { out: string }) => {
  const run = await readRun(new SFNClient(clientConfig(options)), executionArn);
  console.log(await writeRunReport(reportFromHistory(run), options.out));
});

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 2;
});

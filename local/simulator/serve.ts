import { parseArgs } from 'node:util';
import { defaultStateMachine, LocalAws } from '../harness/local-aws.ts';
import { applyFault, type FaultName, faultNames, loadScenario } from './index.ts';
import { withSeed } from './scenario.ts';

// Runs the simulator until Ctrl-C with the project's state machines behind its Step Functions API
// (the local engine, the real definitions and handlers), so `eks-upgrade start/watch/report` work
// against it. The clock starts at the scenario's startTime; it jumps ahead whenever an execution
// waits (a Wait state, a retry interval) and nothing is in flight, so an execution runs in about a
// second; with nothing waiting, or while a task waits for a person (eks-upgrade approve), it flows
// `speed` times faster than real time (default 60).

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'seed' },
    port: { type: 'string', default: '4566' },
    fault: { type: 'string', multiple: true, default: [] },
    speed: { type: 'string', default: '60' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    `Usage: npm run simulator -- [--scenario seed|<file.json>] [--port 4566] [--fault NAME]... [--speed 60] [--seed N]\nFaults: ${faultNames.join(', ')}`,
  );
  process.exit(0);
}

const isFaultName = (name: string): name is FaultName => (faultNames as readonly string[]).includes(name);
const speed = Number(values.speed);
const port = Number(values.port);
if (!(speed > 0) || !Number.isInteger(port) || port < 0) {
  console.error('--speed must be a positive number and --port a port number');
  process.exit(2);
}

let scenario = loadScenario(values.scenario);
if (values.seed !== undefined) {
  try {
    scenario = withSeed(scenario, values.seed);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}
for (const fault of values.fault) {
  if (!isFaultName(fault)) {
    console.error(`Unknown fault "${fault}". Known faults: ${faultNames.join(', ')}`);
    process.exit(2);
  }
  scenario = applyFault(scenario, fault);
}

const aws = await LocalAws.start(scenario, {
  port,
  ...(scenario.trigger ? { fleetClusters: scenario.trigger.fleet } : {}),
});
const { simulator } = aws;
const serving = aws.serve(speed);
const stateMachineArn = aws.stateMachineArn(defaultStateMachine);

const cluster = scenario.clusters[0];
const nodegroup = cluster?.nodegroups[0];
const flags = `--region ${scenario.region} --endpoint-url ${simulator.endpoint}`;
console.log(`AWS simulator (scenario ${scenario.name}) listening on ${simulator.endpoint}`);
console.log(
  `Simulated clock starts at ${scenario.startTime}; it jumps ahead while executions wait, else runs ${speed}x real time.`,
);
console.log(`Upgrade state machine: ${stateMachineArn}`);
if (scenario.faults.length > 0) console.log(`Faults: ${JSON.stringify(scenario.faults)}`);
console.log('\nTry (any credentials work):\n  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test');
if (cluster) {
  console.log(`  aws eks describe-cluster --name ${cluster.name} ${flags}`);
  console.log(
    `  aws eks update-cluster-version --name ${cluster.name} --kubernetes-version <next minor> ${flags}`,
  );
  console.log(`  aws eks list-updates --name ${cluster.name} ${flags}`);
}
if (cluster && nodegroup) {
  console.log(
    `  aws eks describe-nodegroup --cluster-name ${cluster.name} --nodegroup-name ${nodegroup.name} ${flags}`,
  );
  console.log(
    `  aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${nodegroup.autoScalingGroupName} ${flags}`,
  );
  console.log(
    `  aws ssm get-parameter --name /aws/service/eks/optimized-ami/${cluster.version}/amazon-linux-2/recommended/release_version ${flags}`,
  );
}
if (cluster) {
  console.log(
    `  npm run eks-upgrade -- start --cluster ${cluster.name} --state-machine-arn ${stateMachineArn} ${flags} --watch`,
  );
  console.log(`  npm run eks-upgrade -- report <execution-arn> ${flags}`);
}
console.log('\nCtrl-C to stop.');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void aws.close().then(() => process.exit(0));
  });
}
await serving;

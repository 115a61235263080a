import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { planUpgrade } from '../../../functions/plan-upgrade/plan-upgrade.ts';
import { mockValidCluster } from './valid-cluster.ts';

// Runs the plan step once on the valid cluster, in a process of its own, so that a test can give up on an
// input that never returns: node --import tsx tests/unit/property/plan-in-subprocess.ts '<input JSON>'.
// Prints one line of JSON: {"outcome":"plan"} or {"outcome":"error","name":...,"message":...}.

const eks = mockClient(EKSClient);
const ssm = mockClient(SSMClient);
mockValidCluster(eks, ssm);
try {
  await planUpgrade(
    { input: JSON.parse(process.argv[2] ?? 'null'), executionName: 'property' },
    {
      eks: new EKSClient({ region: 'us-east-1' }),
      ssm: new SSMClient({ region: 'us-east-1' }),
      cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
      autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
      ec2: new EC2Client({ region: 'us-east-1' }),
      allowedClusters: '*',
      now: () => new Date('2026-11-25T02:00:00Z'),
    },
  );
  console.log(JSON.stringify({ outcome: 'plan' }));
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  console.log(JSON.stringify({ outcome: 'error', name, message }));
}

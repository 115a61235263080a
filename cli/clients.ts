import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

/** Where the CLI's calls go: the SDK default chain, or the flags. */
export interface ClientOptions {
  region?: string;
  endpointUrl?: string;
}

/** AWS refused a call for want of a permission; the message names the IAM action. */
export class PermissionMissingError extends Error {
  override name = 'PermissionMissingError';
}

// The IAM service prefix of each client's actions (Service Authorization Reference).
const actionPrefixes: Record<string, string> = {
  AutoScalingClient: 'autoscaling',
  CloudFormationClient: 'cloudformation',
  CloudWatchClient: 'cloudwatch',
  EC2Client: 'ec2',
  EKSClient: 'eks',
  SFNClient: 'states',
  SSMClient: 'ssm',
  STSClient: 'sts',
};

// The error codes the CLI's services answer a denied call with: EKS, Step Functions and SSM
// AccessDeniedException; CloudFormation, STS, Auto Scaling and CloudWatch AccessDenied; EC2
// UnauthorizedOperation.
const denialCodes = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** The IAM action of an SDK call: SFNClient + StartExecutionCommand is states:StartExecution. */
function actionOf(clientName: string, commandName: string): string {
  return `${actionPrefixes[clientName] ?? clientName}:${commandName.replace(/Command$/, '')}`;
}

/**
 * A denied call fails as PermissionMissingError naming the action, whatever the service's message
 * says (not every service names it).
 */
function explainDenials<Client extends { middlewareStack: object }>(client: Client): Client {
  (client.middlewareStack as SFNClient['middlewareStack']).add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!(error instanceof Error) || !denialCodes.has(error.name)) throw error;
        const action = actionOf(String(context.clientName), String(context.commandName));
        throw new PermissionMissingError(
          `AWS refused ${action} to these credentials: grant it (README, "Permissions the CLI needs"). AWS said: ${error.message}`,
        );
      }
    },
    { step: 'initialize', name: 'explainDenials' },
  );
  return client;
}

/** The SDK clients of one command, each naming the permission a denied call lacked. */
export function clientsFor(options: ClientOptions) {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
  };
  return {
    sfn: () => explainDenials(new SFNClient(config)),
    cloudFormation: () => explainDenials(new CloudFormationClient(config)),
    sts: () => explainDenials(new STSClient(config)),
    planReads: () => ({
      eks: explainDenials(new EKSClient(config)),
      ssm: explainDenials(new SSMClient(config)),
      cloudWatch: explainDenials(new CloudWatchClient(config)),
      autoScaling: explainDenials(new AutoScalingClient(config)),
      ec2: explainDenials(new EC2Client(config)),
    }),
  };
}

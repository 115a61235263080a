import { type QueryParams, type XmlObject, xmlList } from './autoscaling.ts';
import { ApiError, type World } from './model.ts';

// CloudFormation DescribeStacks (awsQuery), for the stack a runner deployed: the CLI finds the
// state machine from its outputs, as it does on AWS.

/** A stack as CloudFormation describes it once created. */
export interface DeployedStack {
  name: string;
  /** arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid> */
  id: string;
  createdAt: number;
  outputs: Record<string, string>;
}

/** The stacks deployed on this simulator; none when the runner deployed nothing. */
export type StackSource = () => readonly DeployedStack[];

/**
 * DescribeStacks with a name or stack id answers that stack, without one every stack. A name that
 * matches none is ValidationError "Stack with id <name> does not exist", status 400 (boto/boto3#2807).
 */
export function cloudFormationOperations(
  stacks: StackSource,
): Record<string, (world: World, params: QueryParams) => XmlObject> {
  return {
    DescribeStacks: (_world, params) => {
      const wanted = params.StackName;
      const found = stacks().filter((stack) => !wanted || stack.name === wanted || stack.id === wanted);
      if (wanted && found.length === 0)
        throw new ApiError('ValidationError', 400, `Stack with id ${wanted} does not exist`);
      return {
        Stacks: xmlList(
          found.map((stack) => ({
            StackId: stack.id,
            StackName: stack.name,
            CreationTime: new Date(stack.createdAt).toISOString(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: xmlList(
              Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
            ),
          })),
        ),
      };
    },
  };
}

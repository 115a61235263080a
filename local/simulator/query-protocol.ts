import { XMLBuilder } from 'fast-xml-parser';
import { autoScalingOperations, type QueryParams, type XmlObject } from './autoscaling.ts';
import { cloudFormationOperations, type StackSource } from './cloudformation.ts';
import { ec2Operations } from './ec2.ts';
import { ApiError, type World } from './model.ts';
import { snsOperations } from './ssm-sns.ts';
import type { IncomingRequest, Reply, RoutedRequest, Service } from './wire.ts';

// awsQuery (EKS-FACTS §3): a form-encoded POST with Action and Version, answered in XML inside
// <Action>Response/<Action>Result, errors in <ErrorResponse>. Auto Scaling and SNS both speak it.

const namespaces = {
  autoscaling: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  ec2: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
} as const;

/** STS as the simulator's IAM answers it for the request's signer. */
export interface Sts {
  /** Who signed the request, as GetCallerIdentity tells it; undefined for a key AWS does not know. */
  identity(): { arn: string; userId: string; account: string } | undefined;
  /** AssumeRole's result for the signer; throws AWS's AccessDenied when the signer may not. */
  assumeRole(roleArn: string, sessionName: string, durationSeconds: number): XmlObject;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressBooleanAttributes: false,
});

function xmlReply(status: number, document: XmlObject, errorCode?: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document)}`,
    ...(errorCode ? { errorCode } : {}),
  };
}

/** Which awsQuery service a request is for: by Action, else by the signature's credential scope. */
function serviceOf(
  action: string,
  authorization: string | undefined,
): 'autoscaling' | 'sns' | 'sts' | 'ec2' | 'cloudformation' | undefined {
  if (action === 'GetCallerIdentity' || action === 'AssumeRole') return 'sts';
  if (action === 'DescribeStacks') return 'cloudformation';
  if (action in ec2Operations) return 'ec2';
  if (action in autoScalingOperations) return 'autoscaling';
  if (action in snsOperations) return 'sns';
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(authorization ?? '')?.[1];
  return scope === 'autoscaling' || scope === 'sns' || scope === 'ec2' ? scope : undefined;
}

function stsOperation(action: string, sts: Sts | undefined) {
  return (_world: World, params: QueryParams): XmlObject => {
    if (!sts)
      throw new ApiError('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
    if (action === 'AssumeRole') {
      const duration = Number(params.DurationSeconds ?? 3600);
      if (
        !params.RoleArn ||
        !params.RoleSessionName ||
        !Number.isInteger(duration) ||
        duration < 900 ||
        duration > 43_200
      )
        throw new ApiError(
          'ValidationError',
          400,
          'RoleArn, RoleSessionName and DurationSeconds (900-43200) are required',
        );
      return sts.assumeRole(params.RoleArn, params.RoleSessionName, duration);
    }
    const caller = sts.identity();
    if (!caller)
      throw new ApiError(
        'InvalidClientTokenId',
        403,
        'The security token included in the request is invalid.',
      );
    return { Arn: caller.arn, UserId: caller.userId, Account: caller.account };
  };
}

/** Binds a form-encoded awsQuery request to its operation, or returns undefined when it is not one. */
export function routeQuery(
  world: World,
  request: IncomingRequest,
  sts?: Sts,
  stacks: StackSource = () => [],
): RoutedRequest | undefined {
  const form = new URLSearchParams(request.body);
  const action = form.get('Action');
  if (!action) return undefined;
  const params: QueryParams = {};
  for (const [key, value] of form) params[key] = value;
  const service = serviceOf(action, request.headers.authorization);
  const namespace = namespaces[service ?? 'autoscaling'];
  const operations =
    service === 'sns'
      ? snsOperations
      : service === 'ec2'
        ? ec2Operations
        : service === 'cloudformation'
          ? cloudFormationOperations(stacks)
          : autoScalingOperations;
  const operation = service === 'sts' ? stsOperation(action, sts) : operations[action];
  const loggedService: Service = service ?? 'autoscaling';
  return {
    service: loggedService,
    operation: action,
    // STS changes no resource: a dry run may assume a role.
    mutating: service !== 'sts' && !/^(Describe|List|Get)/.test(action),
    params,
    run: () => {
      if (!operation) {
        throw new ApiError('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
      }
      const result = operation(world, params);
      // ec2Query has no Result wrapper and a lower-case requestId.
      if (service === 'ec2') {
        return xmlReply(200, {
          [`${action}Response`]: { '@_xmlns': namespace, requestId: request.requestId, ...result },
        });
      }
      return xmlReply(200, {
        [`${action}Response`]: {
          '@_xmlns': namespace,
          [`${action}Result`]: result,
          ResponseMetadata: { RequestId: request.requestId },
        },
      });
    },
    renderError: (error) =>
      service === 'ec2'
        ? xmlReply(
            error.status,
            {
              Response: {
                Errors: { Error: { Code: error.code, Message: error.message } },
                RequestID: request.requestId,
              },
            },
            error.code,
          )
        : xmlReply(
            error.status,
            {
              ErrorResponse: {
                '@_xmlns': namespace,
                Error: {
                  Type: error.status >= 500 ? 'Receiver' : 'Sender',
                  Code: error.code,
                  Message: error.message,
                },
                RequestId: request.requestId,
              },
            },
            error.code,
          ),
  };
}

import { z } from 'zod';
import { ApiError, type World } from './model.ts';
import {
  type IncomingRequest,
  paginate,
  parseWith,
  type Reply,
  type RoutedRequest,
  seconds,
} from './wire.ts';

// CloudWatch DescribeAlarms. Current SDK v3 clients speak awsJson1_0 to CloudWatch (X-Amz-Target
// GraniteServiceVersion20100801.<Operation>) in awsQuery-compatible mode: an error names its shape in
// __type and its old awsQuery code in the x-amzn-query-error header ("Code;Sender").

const targetPrefix = 'GraniteServiceVersion20100801.';

/** The awsQuery code of each error shape the simulator answers with (the client's awsQueryError trait). */
const queryCodes: Record<string, string> = {
  InvalidParameterCombinationException: 'InvalidParameterCombination',
  InvalidParameterValueException: 'InvalidParameterValue',
  InvalidNextToken: 'InvalidNextToken',
  InternalServiceFault: 'InternalServiceError',
};

const invalidValue = (message: string): ApiError =>
  new ApiError('InvalidParameterValueException', 400, message);

const describeAlarmsBody = z.object({
  AlarmNames: z.array(z.string()).max(100).optional(),
  AlarmNamePrefix: z.string().min(1).max(255).optional(),
  AlarmTypes: z.array(z.enum(['CompositeAlarm', 'MetricAlarm'])).optional(),
  StateValue: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).optional(),
  MaxRecords: z.int().optional(),
  NextToken: z.string().optional(),
});

function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', ...headers },
    body: JSON.stringify(body),
  };
}

function describeAlarms(world: World, input: unknown): Record<string, unknown> {
  const body = parseWith(describeAlarmsBody, input, invalidValue);
  // The API reference: "If this parameter [AlarmNamePrefix] is specified, you cannot specify AlarmNames."
  if (body.AlarmNamePrefix !== undefined && body.AlarmNames !== undefined) {
    throw new ApiError(
      'InvalidParameterCombinationException',
      400,
      'AlarmNamePrefix and AlarmNames cannot be specified together',
    );
  }
  // Without AlarmTypes only metric alarms are returned; the simulator has no composite alarms.
  const metricAlarmsWanted = body.AlarmTypes === undefined || body.AlarmTypes.includes('MetricAlarm');
  const alarms = world
    .alarms()
    .filter(
      (a) =>
        metricAlarmsWanted &&
        (body.AlarmNames === undefined || body.AlarmNames.includes(a.name)) &&
        (body.AlarmNamePrefix === undefined || a.name.startsWith(body.AlarmNamePrefix)) &&
        (body.StateValue === undefined || a.value === body.StateValue),
    );
  const { page, nextToken } = paginate(
    alarms,
    {
      maxResults: body.MaxRecords,
      nextToken: body.NextToken,
      defaultMax: 50,
      limit: 100,
      maxName: 'MaxRecords',
    },
    (message) =>
      message.includes('token')
        ? new ApiError('InvalidNextToken', 400, message)
        : new ApiError('InvalidParameterValueException', 400, message),
  );
  return {
    MetricAlarms: page.map((a) => ({
      AlarmName: a.name,
      AlarmArn: a.arn,
      ...(a.description === undefined ? {} : { AlarmDescription: a.description }),
      AlarmConfigurationUpdatedTimestamp: seconds(world.start),
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: a.value,
      StateReason: a.reason,
      StateUpdatedTimestamp: seconds(a.updatedAt),
      StateTransitionedTimestamp: seconds(a.updatedAt),
      MetricName: a.metricName,
      Namespace: a.namespace,
      Statistic: 'Average',
      Dimensions: [],
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: a.threshold,
      ComparisonOperator: 'GreaterThanThreshold',
    })),
    CompositeAlarms: [],
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** Whether an awsJson request is for CloudWatch. */
export function isCloudWatchTarget(target: string): boolean {
  return target.startsWith(targetPrefix);
}

/** Binds a CloudWatch awsJson1_0 request to its operation. */
export function routeCloudWatch(world: World, request: IncomingRequest, target: string): RoutedRequest {
  const operation = target.slice(targetPrefix.length);
  let body: unknown;
  try {
    body = JSON.parse(request.body || '{}');
  } catch {
    body = undefined;
  }
  return {
    service: 'cloudwatch',
    operation,
    mutating: !/^(Describe|List|Get)/.test(operation),
    params: body && typeof body === 'object' ? (body as Record<string, unknown>) : {},
    run: () => {
      if (body === undefined)
        throw new ApiError('SerializationException', 400, 'The request body is not valid JSON');
      if (operation !== 'DescribeAlarms') {
        throw new ApiError('UnknownOperationException', 400, `Operation ${operation} is not simulated`);
      }
      return jsonReply(200, describeAlarms(world, body));
    },
    renderError: (error) => ({
      ...jsonReply(
        error.status,
        { __type: `com.amazonaws.cloudwatch#${error.code}`, message: error.message },
        {
          'x-amzn-query-error': `${queryCodes[error.code] ?? error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}`,
        },
      ),
      errorCode: error.code,
    }),
  };
}

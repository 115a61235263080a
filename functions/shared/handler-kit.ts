import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { EKSClient } from '@aws-sdk/client-eks';
import middy from '@middy/core';
import { StepTimedOutError } from './errors.ts';
import { type MetricPoint, metricsOfError, metricsOfOutput } from './step-metrics.ts';

/** One logger per container; POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL come from template.yaml. */
export const logger = new Logger();

/** CloudWatch metrics in EMF on the function's log; POWERTOOLS_METRICS_NAMESPACE comes from template.yaml. */
export const metrics = new Metrics({ logger });

/**
 * X-Ray (the template turns on active tracing; off outside Lambda). HTTP is not captured on its
 * own: every call the steps make is an SDK call, which `stepClient` records once, by service and
 * operation. Responses stay out of traces: a plan runs to kilobytes and names every resource.
 */
export const tracer = new Tracer({ captureHTTPsRequests: false });

/** The invocation a piece of work belongs to: its signal aborts when middy stops the step early. */
const invocation = new AsyncLocalStorage<AbortSignal>();

/**
 * An SDK client for the steps: every call is an X-Ray subsegment (service, operation, status,
 * retries), and a step stopped for time makes no further call. Lambda reuses the container, so
 * without that a stopped step would carry on beside its own retry once the container thaws.
 */
export function stepClient<Client extends { middlewareStack: object }>(client: Client): Client {
  (client.middlewareStack as EKSClient['middlewareStack']).add(
    (next) => async (args) => {
      if (invocation.getStore()?.aborted)
        throw new StepTimedOutError('The step was stopped for time; it makes no further AWS call.');
      return next(args);
    },
    { step: 'initialize', name: 'stopAfterStepTimeout' },
  );
  return tracer.captureAWSv3Client(client);
}

/**
 * Publishes a step's metrics: those with dimensions of their own (kind, error code) each as a
 * single metric, the rest with the service's. Nothing is written for a step that has none.
 */
export function publishMetrics(points: readonly MetricPoint[], into: Metrics = metrics): void {
  const plain = points.filter((point) => Object.keys(point.dimensions).length === 0);
  for (const point of points.filter((candidate) => Object.keys(candidate.dimensions).length > 0)) {
    const single = into.singleMetric();
    for (const [name, value] of Object.entries(point.dimensions)) single.addDimension(name, value);
    single.addMetric(point.name, MetricUnit[point.unit], point.value);
  }
  if (plain.length === 0) return;
  for (const point of plain) into.addMetric(point.name, MetricUnit[point.unit], point.value);
  into.publishStoredMetrics();
}

const correlationFields = [
  'executionName',
  'clusterName',
  'nodegroupName',
  'addonName',
  'updateId',
  'kind',
] as const;

/**
 * What ties a log line to a run at 3 a.m.: execution, cluster, node group or add-on, update ID.
 * Only these named fields, each cut short: never a whole event, which may carry a user's message.
 */
export function correlationKeys(event: unknown): Record<string, string> {
  const keys: Record<string, string> = {};
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    for (const field of correlationFields) {
      const found = (value as Record<string, unknown>)[field];
      if (typeof found === 'string' && !(field in keys)) keys[field] = found.slice(0, 100);
    }
  };
  visit(event);
  if (typeof event === 'object' && event !== null) {
    const { input, nodegroup, addon } = event as Record<string, unknown>;
    visit(input);
    if (typeof nodegroup === 'object' && nodegroup !== null && 'name' in nodegroup) {
      keys.nodegroupName ??= String(nodegroup.name).slice(0, 100);
    }
    if (typeof addon === 'object' && addon !== null && 'name' in addon)
      keys.addonName ??= String(addon.name).slice(0, 100);
  }
  return keys;
}

/**
 * Wraps a step's core in middy: the Lambda context and the run's correlation keys on every log
 * line, one line when the step starts and one when it ends (or fails, with the error's name).
 * The core stays a plain async function of its input, so tests call it directly.
 */
export function makeHandler<Input, Output>(step: (input: Input) => Promise<Output>) {
  return (
    middy<Input, Output>({
      // Stop the step a second before Lambda would, as an error of ours: it is logged and counted
      // (a Lambda timeout writes neither), and the state machine retries it as it retries a timeout.
      timeoutEarlyInMillis: 1000,
      timeoutEarlyResponse: () => {
        throw new StepTimedOutError('The step ran out of Lambda time; the state machine runs it again.');
      },
    })
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(captureLambdaHandler(tracer, { captureResponse: false }))
      .before((request) => {
        const keys = correlationKeys(request.event);
        logger.appendKeys(keys);
        // Annotations are indexed: find a run's traces by execution, cluster or node group.
        for (const [key, value] of Object.entries(keys)) tracer.putAnnotation(key, value);
        logger.info('Step started');
      })
      .handler((input, _context, { signal }) =>
        invocation.run(signal, async () => {
          const output = await step(input);
          // Stopped for time: the invocation ended already and said so; its retry reports the step.
          if (signal.aborted) return output;
          logger.info('Step finished', { ...correlationKeys(output), status: statusOf(output) });
          safely(() => publishMetrics(metricsOfOutput(output)));
          return output;
        }),
      )
      // The step's own errors and the early timeout both land here; middy throws the error on.
      .onError((request) => {
        const { error } = request;
        safely(() => publishMetrics(metricsOfError(error)));
        logger.error('Step failed', { errorName: error?.name ?? 'Unknown', error: error as Error });
      })
  );
}

/** Metrics never change a step's outcome: a step that did its work is not retried for them. */
function safely(publish: () => void): void {
  try {
    publish();
  } catch (error) {
    logger.warn('Metrics not published', { error: error as Error });
  }
}

function statusOf(output: unknown): string {
  return typeof output === 'object' && output !== null && 'status' in output ? String(output.status) : 'done';
}

/**
 * An environment variable the template sets, read once at init.
 * @throws Error naming the variable, so a misconfigured function fails at its first cold start.
 */
export function requiredEnvironment(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`Environment variable ${name} is not set; template.yaml sets it for this function.`);
  return value;
}

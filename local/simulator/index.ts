import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StackSource } from './cloudformation.ts';
import { isCloudWatchTarget, routeCloudWatch } from './cloudwatch.ts';
import { isEksPath, routeEks } from './eks.ts';
import { createIam, type IamOptions } from './iam.ts';
import { ApiError, type UpdateRecord, uuidFrom, World } from './model.ts';
import { routeQuery, type Sts } from './query-protocol.ts';
import { type Fault, type FaultName, parseScenario, type Scenario } from './scenario.ts';
import { routeSfn, type StepFunctionsBackend } from './sfn.ts';
import { routeSsm } from './ssm-sns.ts';
import type { IncomingRequest, Reply, RoutedRequest, Service } from './wire.ts';

// A simulator of the AWS APIs the workflow calls (EKS, Auto Scaling, SSM, SNS) on one local HTTP server,
// speaking their real wire protocols, over a lazy virtual clock. It shares no code with functions/.

export type { DeployedStack } from './cloudformation.ts';
export { type IamOptions, roleAccessKeyId } from './iam.ts';
export { ApiError } from './model.ts';
export { applyFault, faultNames, loadScenario, publishRelease } from './scenario.ts';
export type { ExecutionDescription, HistoryEvent, StepFunctionsBackend } from './sfn.ts';
export type { FaultName, Scenario, UpdateRecord };

export interface SimulatorOptions {
  scenario: Scenario;
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** Runs the executions StartExecution asks for (the local engine); without it, Step Functions is absent. */
  stepFunctions?: StepFunctionsBackend;
  /** Called after each SNS Publish, so a runner can deliver it to the topic's subscribers. */
  onPublish?: (message: { topicArn: string; subject?: string; message: string; at: number }) => void;
  /** Simulated ms since epoch; default Date.now. In-process runs pass a fake clock. */
  now?: () => number;
  /** Whose credentials act as whom, and the template whose roles' policies every request is checked against. */
  iam?: IamOptions;
  /** The CloudFormation stacks a runner deployed here, for DescribeStacks; default none. */
  stacks?: StackSource;
}

export interface LoggedRequest {
  at: number;
  service: Service;
  operation: string;
  mutating: boolean;
  params: Record<string, unknown>;
  status: number;
  errorCode?: string;
  /** Who signed it: a template role's logical id, else the access key id (CloudTrail's userIdentity). */
  caller?: string;
}

export interface SimulatorSnapshot {
  now: number;
  clusters: Array<{
    name: string;
    version: string;
    status: string;
    platformVersion: string;
    updates: UpdateRecord[];
    nodegroups: Array<{
      name: string;
      version: string;
      /** For amiType CUSTOM, the AMI id. */
      releaseVersion: string;
      amiType: string;
      status: string;
      /** Version of the Auto Scaling group's launch template (EKS adds one per update). */
      launchTemplateVersion: number;
      /** The customer's launch template and the version of it in use, when the group has one. */
      customLaunchTemplate?: { name: string; id: string; version: number };
      instances: Array<{
        id: string;
        availabilityZone: string;
        launchTemplateVersion: number;
        lifecycleState: string;
      }>;
      instancesReplaced: number;
    }>;
    /** Always set by the simulator; optional so that hand-built snapshots (tests) stay valid. */
    addons?: Array<{
      name: string;
      version: string;
      status: string;
      /** Whether the installed version lists the cluster's current version as compatible. */
      compatible: boolean;
    }>;
    /** Always set by the simulator; optional like addons. */
    insights?: Array<{ name: string; kubernetesVersion: string; category: string; status: string }>;
    /** On-demand insights refreshes, oldest first (simulated ms); optional like addons. */
    insightsRefreshes?: Array<{ status: string; startedAt: number; endedAt?: number }>;
  }>;
  published: Array<{ topicArn: string; subject?: string; message: string; at: number }>;
}

export interface Simulator {
  readonly endpoint: string;
  readonly requestLog: readonly LoggedRequest[];
  /** Requests received and not yet fully answered. */
  inFlight(): number;
  /** The model's state after applying every event due by now(). */
  snapshot(): SimulatorSnapshot;
  /** AWS's denial when a template role may not do this, for calls AWS makes without HTTP (Lambda invokes); else undefined. */
  roleDenial(logicalId: string, action: string, resource: string): string | undefined;
  close(): Promise<void>;
}

type BurstFault = Extract<Fault, { type: 'throttling' | 'server-errors' }>;

// The error each service answers with when a fault fires, in its own protocol's terms.
const faultErrors: Record<Service, { throttling: [string, number]; server: Array<[string, number]> }> = {
  eks: {
    throttling: ['ThrottlingException', 429],
    server: [
      ['ServiceUnavailableException', 503],
      ['ServerException', 500],
    ],
  },
  autoscaling: { throttling: ['Throttling', 400], server: [['InternalFailure', 500]] },
  sns: { throttling: ['Throttled', 429], server: [['InternalError', 500]] },
  ssm: { throttling: ['ThrottlingException', 400], server: [['InternalServerError', 500]] },
  sfn: { throttling: ['ThrottlingException', 400], server: [['ServiceUnavailable', 503]] },
  cloudwatch: { throttling: ['Throttling', 400], server: [['InternalServiceFault', 500]] },
  ec2: { throttling: ['RequestLimitExceeded', 503], server: [['InternalError', 500]] },
  sts: { throttling: ['Throttling', 400], server: [['InternalFailure', 500]] },
  cloudformation: { throttling: ['Throttling', 400], server: [['InternalFailure', 500]] },
};

/** Counts requests per burst fault and says which fault, if any, answers this one. */
function burstInjector(faults: readonly Fault[]) {
  const bursts = faults.filter((f): f is BurstFault => f.type === 'throttling' || f.type === 'server-errors');
  const seen = bursts.map(() => 0);
  return (service: Service, operation: string): { error: ApiError; applied: boolean } | undefined => {
    let hit: { error: ApiError; applied: boolean } | undefined;
    bursts.forEach((fault, i) => {
      if (fault.service !== 'all' && fault.service !== service) return;
      if (fault.operation !== undefined && fault.operation !== operation) return;
      const n = (seen[i] ?? 0) + 1;
      seen[i] = n;
      if (hit || n <= fault.afterRequests || n > fault.afterRequests + fault.count) return;
      const table = faultErrors[service];
      if (fault.type === 'throttling') {
        hit = {
          error: new ApiError(table.throttling[0], table.throttling[1], 'Rate exceeded'),
          applied: false,
        };
      } else {
        const [code, status] = table.server[(n - fault.afterRequests - 1) % table.server.length] ?? [
          'ServerException',
          500,
        ];
        hit = {
          error: new ApiError(code, status, 'The service is temporarily unavailable (simulated fault)'),
          applied: fault.effect === 'applied',
        };
      }
    });
    return hit;
  };
}

function route(
  world: World,
  request: IncomingRequest,
  stepFunctions: StepFunctionsBackend | undefined,
  sts: Sts,
  stacks: StackSource | undefined,
): RoutedRequest {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('AmazonSSM.')) return routeSsm(world, request, target);
  if (typeof target === 'string' && isCloudWatchTarget(target))
    return routeCloudWatch(world, request, target);
  if (typeof target === 'string' && target.startsWith('AWSStepFunctions.')) {
    return routeSfn(request, target, stepFunctions);
  }
  if (isEksPath(request.path)) return routeEks(world, request);
  const contentType = request.headers['content-type'] ?? '';
  if (request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
    const query = routeQuery(world, request, sts, stacks);
    if (query) return query;
  }
  return routeEks(world, request); // answers NotFoundException for anything unrecognised
}

function snapshotOf(world: World): SimulatorSnapshot {
  return structuredClone({
    now: world.clock,
    clusters: world.clusters.map((c) => ({
      name: c.name,
      version: c.version,
      status: c.status,
      platformVersion: c.platformVersion,
      updates: c.updates,
      insightsRefreshes: c.insightsRefreshes,
      nodegroups: c.nodegroups.map((ng) => ({
        name: ng.name,
        version: ng.version,
        releaseVersion: ng.releaseVersion,
        amiType: ng.amiType,
        status: ng.status,
        launchTemplateVersion: ng.asg.launchTemplate.version,
        ...(ng.customLaunchTemplate ? { customLaunchTemplate: ng.customLaunchTemplate } : {}),
        instances: ng.asg.instances.map((i) => ({
          id: i.id,
          availabilityZone: i.availabilityZone,
          launchTemplateVersion: i.launchTemplateVersion,
          lifecycleState: i.lifecycleState,
        })),
        instancesReplaced: ng.instancesReplaced,
      })),
      addons: c.addons.map((a) => ({
        name: a.name,
        version: a.version,
        status: a.status,
        compatible: world.addonCompatible(c, a),
      })),
      insights: c.insights.map((i) => ({
        name: i.name,
        kubernetesVersion: i.kubernetesVersion,
        category: i.category,
        status: i.status,
      })),
    })),
    published: world.published.map(({ messageId: _, ...p }) => p),
  });
}

/**
 * Starts the simulator on 127.0.0.1 with a validated copy of the scenario.
 * @throws Error when the scenario is invalid or the port cannot be bound.
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const now = options.now ?? (() => Date.now());
  const world = new World(parseScenario(options.scenario), now);
  const injectFault = burstInjector(world.scenario.faults);
  const iam = createIam(world, options.iam, options.stacks);
  const requestLog: LoggedRequest[] = [];
  let active = 0;
  let requestCount = 0;

  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    world.advance();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requestCount += 1;
    const request: IncomingRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      requestId: uuidFrom(`${world.scenario.name}/request/${requestCount}`),
    };
    const routed = route(
      world,
      request,
      options.stepFunctions,
      {
        identity: () => iam.identityOf(request),
        assumeRole: (roleArn, sessionName, durationSeconds) =>
          iam.assumeRole(request, roleArn, sessionName, durationSeconds),
      },
      options.stacks,
    );
    world.beforeRequest(routed.operation);
    const fault = injectFault(routed.service, routed.operation);
    const caller = iam.callerOf(request);
    let reply: Reply;
    const denied =
      fault && !fault.applied
        ? undefined
        : iam.check(request, routed.service, routed.operation, routed.params);
    if (fault && !fault.applied) {
      reply = routed.renderError(fault.error);
    } else if (denied) {
      reply = routed.renderError(denied);
    } else {
      try {
        reply = routed.run();
      } catch (error) {
        const apiError =
          error instanceof ApiError
            ? error
            : new ApiError('InternalFailure', 500, `Simulator bug: ${String(error)}`);
        reply = routed.renderError(apiError);
      }
      // "applied": the change happened, but the caller sees a 5xx, as when a response is lost.
      if (fault) reply = routed.renderError(fault.error);
    }
    requestLog.push({
      at: world.clock,
      service: routed.service,
      operation: routed.operation,
      mutating: routed.mutating,
      params: routed.params,
      status: reply.status,
      ...(reply.errorCode ? { errorCode: reply.errorCode } : {}),
      ...(caller ? { caller } : {}),
    });
    res.writeHead(reply.status, {
      ...reply.headers,
      'x-amzn-RequestId': request.requestId,
      date: new Date(world.clock).toUTCString(),
      'content-length': Buffer.byteLength(reply.body),
    });
    res.end(reply.body);
    const published = world.published.at(-1);
    if (routed.operation === 'Publish' && reply.status === 200 && published) options.onPublish?.(published);
  };

  const server = createServer((req, res) => {
    active += 1;
    res.on('close', () => {
      active -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        answer(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`Simulator failure: ${String(error)}`);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requestLog,
    inFlight: () => active,
    roleDenial: (logicalId, action, resource) => iam.roleDenial(logicalId, action, resource),
    snapshot: () => {
      world.advance();
      return snapshotOf(world);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

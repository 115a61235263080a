import type { QueryParams, XmlObject } from './autoscaling.ts';
import { ApiError, hashHex, type World } from './model.ts';
import type { IncomingRequest, Reply, RoutedRequest } from './wire.ts';
import { seconds } from './wire.ts';

// SSM public parameters for EKS-optimized AMIs (awsJson1_1, EKS-FACTS §4.3) and SNS Publish (awsQuery).

const amiPaths: Record<string, string> = {
  AL2_x86_64: 'amazon-linux-2',
  AL2_ARM_64: 'amazon-linux-2-arm64',
  AL2_x86_64_GPU: 'amazon-linux-2-gpu',
  AL2023_x86_64_STANDARD: 'amazon-linux-2023/x86_64/standard',
  AL2023_ARM_64_STANDARD: 'amazon-linux-2023/arm64/standard',
  AL2023_x86_64_NVIDIA: 'amazon-linux-2023/x86_64/nvidia',
  AL2023_ARM_64_NVIDIA: 'amazon-linux-2023/arm64/nvidia',
  AL2023_x86_64_NEURON: 'amazon-linux-2023/x86_64/neuron',
};

interface ParameterValue {
  value: string;
  version: number;
  lastModified: number;
}

/** AL2: amazon-eks-[arm64-|gpu-]node-1.29-v20240117; AL2023: amazon-eks-node-al2023-x86_64-standard-1.29-v20240213. */
function imageName(amiType: string, version: string, release: string): string {
  const date = release.split('-')[1] ?? '';
  const path = amiPaths[amiType] ?? '';
  if (path.startsWith('amazon-linux-2023/'))
    return `amazon-eks-node-al2023-${path.split('/').slice(1).join('-')}-${version}-v${date}`;
  const variant = { AL2_ARM_64: 'arm64-', AL2_x86_64_GPU: 'gpu-' }[amiType] ?? '';
  return `amazon-eks-${variant}node-${version}-v${date}`;
}

/**
 * Resolves /aws/service/eks/optimized-ami/<k8s>/<ami-path>/recommended[/leaf], and the parameter of one
 * published image, /aws/service/eks/optimized-ami/<k8s>/<ami-path>/<image name>[/leaf] (the path
 * Karpenter resolves pinned AL2023 aliases through; README).
 */
function lookup(world: World, name: string): ParameterValue | undefined {
  const found =
    /^\/aws\/service\/eks\/optimized-ami\/(\d+\.\d+)\/(.+?)\/(recommended|amazon-eks-[\w.-]+-v\d{8})(?:\/(\w+))?$/.exec(
      name,
    );
  if (!found) return undefined;
  const [, version = '', path = '', image = '', leaf] = found;
  const amiType = Object.keys(amiPaths).find((t) => amiPaths[t] === path);
  if (!amiType) return undefined;
  const published = world.publishedReleaseEntries(amiType, version);
  const releases =
    image === 'recommended'
      ? published
      : published.filter((entry) => imageName(amiType, version, entry.releaseVersion) === image);
  const latest = releases.at(-1);
  if (!latest) return undefined;
  const release = latest.releaseVersion;
  const date = release.split('-')[1] ?? '19700101';
  const recommended = {
    image_id: `ami-0${hashHex(`${amiType}/${release}`, 16)}`,
    image_name: imageName(amiType, version, release),
    release_version: release,
  };
  const value =
    leaf === undefined
      ? JSON.stringify({ schema_version: '2', ...recommended })
      : (recommended as Record<string, string>)[leaf];
  if (value === undefined) return undefined;
  return {
    value,
    version: releases.length,
    // A release published mid-run changes the parameter at that moment; others on their release date.
    lastModified:
      latest.publishedAt ??
      Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`),
  };
}

function jsonReply(status: number, body: unknown, errorCode?: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
    ...(errorCode ? { errorCode } : {}),
  };
}

/** Binds an awsJson1_1 request (X-Amz-Target: AmazonSSM.<Operation>) to its operation. */
export function routeSsm(world: World, request: IncomingRequest, target: string): RoutedRequest {
  const operation = target.split('.')[1] ?? target;
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(request.body || '{}');
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = {};
  }
  return {
    service: 'ssm',
    operation,
    mutating: operation.startsWith('Put') || operation.startsWith('Delete'),
    params: body,
    run: () => {
      if (operation !== 'GetParameter') {
        throw new ApiError('UnknownOperationException', 400, `Operation ${operation} is not simulated`);
      }
      const name = typeof body.Name === 'string' ? body.Name : '';
      const found = lookup(world, name);
      if (!found) throw new ApiError('ParameterNotFound', 400, `Parameter ${name} not found.`);
      return jsonReply(200, {
        Parameter: {
          Name: name,
          Type: 'String',
          Value: found.value,
          Version: found.version,
          LastModifiedDate: seconds(found.lastModified),
          ARN: `arn:aws:ssm:${world.scenario.region}::parameter${name}`,
          DataType: 'text',
        },
      });
    },
    renderError: (error) =>
      jsonReply(error.status, { __type: error.code, message: error.message }, error.code),
  };
}

const snsInvalid = (message: string): ApiError =>
  new ApiError('InvalidParameter', 400, `Invalid parameter: ${message}`);

export const snsOperations: Record<string, (world: World, params: QueryParams) => XmlObject> = {
  Publish: (world, params) => {
    const topicArn = params.TopicArn ?? params.TargetArn;
    if (!topicArn) throw snsInvalid('TopicArn or TargetArn Reason: no value for required parameter');
    if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/.test(topicArn))
      throw snsInvalid('TopicArn');
    const message = params.Message;
    if (!message) throw snsInvalid('Empty message');
    if (Buffer.byteLength(message) > 262_144) throw snsInvalid('Message too long');
    const subject = params.Subject;
    if (subject !== undefined && (subject.length === 0 || subject.length > 100 || /[\r\n]/.test(subject))) {
      throw snsInvalid('Subject');
    }
    return { MessageId: world.publish(topicArn, message, subject).messageId };
  },
};

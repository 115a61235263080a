/**
 * Where the recommended EKS-optimized AMI release of each AMI type is published, as a public SSM
 * parameter per Kubernetes version (EKS-FACTS 4.3). Types not listed (Bottlerocket, Windows,
 * CUSTOM) publish elsewhere or not at all; for them EKS picks the newest release itself.
 */
const ssmPathByAmiType: Record<string, string> = {
  AL2_x86_64: 'amazon-linux-2',
  AL2_ARM_64: 'amazon-linux-2-arm64',
  AL2_x86_64_GPU: 'amazon-linux-2-gpu',
  AL2023_x86_64_STANDARD: 'amazon-linux-2023/x86_64/standard',
  AL2023_ARM_64_STANDARD: 'amazon-linux-2023/arm64/standard',
  AL2023_x86_64_NVIDIA: 'amazon-linux-2023/x86_64/nvidia',
  AL2023_ARM_64_NVIDIA: 'amazon-linux-2023/arm64/nvidia',
  AL2023_x86_64_NEURON: 'amazon-linux-2023/x86_64/neuron',
};

/** The SSM parameter holding the recommended release, or undefined when AWS publishes none there. */
export function recommendedReleaseParameter(kubernetesVersion: string, amiType: string): string | undefined {
  const path = ssmPathByAmiType[amiType];
  return path
    ? `/aws/service/eks/optimized-ami/${kubernetesVersion}/${path}/recommended/release_version`
    : undefined;
}

/** AL2's image names carry the architecture or accelerator before "node"; AL2023's after it. */
const al2ImageVariant: Record<string, string> = { AL2_ARM_64: 'arm64-', AL2_x86_64_GPU: 'gpu-' };

/**
 * The SSM parameter of one published image: the release's date names it
 * (`.../1.29/amazon-linux-2/amazon-eks-node-1.29-v20240117/image_id`), so its absence means AWS never
 * published that release for this AMI type and version.
 */
export function releaseImageParameter(
  kubernetesVersion: string,
  amiType: string,
  releaseVersion: string,
): string | undefined {
  const path = ssmPathByAmiType[amiType];
  const date = /^\d+\.\d+\.\d+-(\d{8})$/.exec(releaseVersion)?.[1];
  if (!path || !date) return undefined;
  const image = path.startsWith('amazon-linux-2023/')
    ? `amazon-eks-node-al2023-${path.split('/').slice(1).join('-')}-${kubernetesVersion}-v${date}`
    : `amazon-eks-${al2ImageVariant[amiType] ?? ''}node-${kubernetesVersion}-v${date}`;
  return `/aws/service/eks/optimized-ami/${kubernetesVersion}/${path}/${image}/image_id`;
}

/** Amazon Linux 2 AMI types: EKS publishes none past Kubernetes 1.32, and amiType cannot change in place (EKS-FACTS 7.2). */
const al2AmiTypes: ReadonlySet<string> = new Set(['AL2_x86_64', 'AL2_ARM_64', 'AL2_x86_64_GPU']);

export function isAl2(amiType: string): boolean {
  return al2AmiTypes.has(amiType);
}

/** The AMI types a replacement of an AL2 node group may take (replaceAl2.amiType). */
export const replacementAmiTypes = [
  'AL2023_x86_64_STANDARD',
  'AL2023_ARM_64_STANDARD',
  'AL2023_x86_64_NVIDIA',
  'AL2023_ARM_64_NVIDIA',
  'AL2023_x86_64_NEURON',
  'BOTTLEROCKET_x86_64',
  'BOTTLEROCKET_ARM_64',
  'BOTTLEROCKET_x86_64_NVIDIA',
  'BOTTLEROCKET_ARM_64_NVIDIA',
] as const;

/** Without replaceAl2.amiType, each AL2 type's AL2023 counterpart (same architecture, GPUs kept). */
const al2023Counterpart: Record<string, string> = {
  AL2_x86_64: 'AL2023_x86_64_STANDARD',
  AL2_ARM_64: 'AL2023_ARM_64_STANDARD',
  AL2_x86_64_GPU: 'AL2023_x86_64_NVIDIA',
};

/** The CPU architecture an AMI type boots on: a node group's instance types are of one. */
export function architectureOf(amiType: string): 'arm64' | 'x86_64' {
  return /ARM_64/.test(amiType) ? 'arm64' : 'x86_64';
}

/**
 * The AMI type an AL2 group's replacement runs: the one asked for, or the group's AL2023 counterpart.
 * @returns undefined when the one asked for boots on another architecture than the group's instances.
 */
export function replacementAmiTypeOf(
  al2AmiType: string,
  requested?: string,
  instanceTypes: string[] = [],
): string | undefined {
  // AL2's GPU AMI served Inferentia and Trainium too; AL2023 has an image of its own for them.
  const neuron = instanceTypes.length > 0 && instanceTypes.every((type) => /^(inf|trn)\d/.test(type));
  const amiType =
    requested ??
    (al2AmiType === 'AL2_x86_64_GPU' && neuron ? 'AL2023_x86_64_NEURON' : al2023Counterpart[al2AmiType]);
  if (!amiType || architectureOf(amiType) !== architectureOf(al2AmiType)) return undefined;
  return amiType;
}

/** The replacement's name from replaceAl2.namePattern ("{name}" is the old group's name). */
export function replacementName(namePattern: string, oldName: string): string {
  return namePattern.replaceAll('{name}', oldName);
}

/** AL2023 nodes need VPC CNI 1.16.2 or newer (EKS user guide, "Upgrade from AL2 to AL2023"). */
export const minVpcCniForAl2023 = 'v1.16.2';

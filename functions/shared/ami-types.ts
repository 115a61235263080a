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

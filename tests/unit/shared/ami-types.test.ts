import { describe, expect, it } from 'vitest';
import { releaseImageParameter } from '../../../functions/shared/ami-types.ts';

describe('releaseImageParameter', () => {
  it('names the SSM parameter of one published image as AWS does', () => {
    // Paths as Karpenter resolves pinned images (see local/simulator/README.md).
    expect(releaseImageParameter('1.29', 'AL2_x86_64', '1.29.0-20240117')).toBe(
      '/aws/service/eks/optimized-ami/1.29/amazon-linux-2/amazon-eks-node-1.29-v20240117/image_id',
    );
    expect(releaseImageParameter('1.29', 'AL2023_x86_64_STANDARD', '1.29.0-20240213')).toBe(
      '/aws/service/eks/optimized-ami/1.29/amazon-linux-2023/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.29-v20240213/image_id',
    );
    expect(releaseImageParameter('1.29', 'AL2_ARM_64', '1.29.0-20240117')).toContain(
      '/amazon-eks-arm64-node-1.29-v20240117/',
    );
  });

  it('names none for AMI types SSM does not publish there, or a release that is not dated', () => {
    expect(releaseImageParameter('1.29', 'BOTTLEROCKET_x86_64', '1.20.0-7c3e9198')).toBeUndefined();
    expect(releaseImageParameter('1.29', 'AL2_x86_64', 'ami-0abc')).toBeUndefined();
  });
});

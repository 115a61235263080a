import { EKSServiceException } from '@aws-sdk/client-eks';
import type { PlannedNodegroup } from '../../functions/shared/types.ts';

/** An SDK error as the EKS client throws it, with the exception name the code matches on. */
export function eksError(name: string, message: string, status = 400): EKSServiceException {
  return new EKSServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export const seedNodegroup: PlannedNodegroup = {
  name: 'managednodegroup',
  currentVersion: '1.18',
  releaseVersion: '1.18.9-20210208',
  desiredSize: 3,
  maxUnavailable: 1,
  moves: true,
};

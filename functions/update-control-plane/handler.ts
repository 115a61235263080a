import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type UpdateControlPlaneEvent, updateControlPlane } from './update-control-plane.ts';

const eks = new EKSClient({});

export const handler = makeHandler((event: UpdateControlPlaneEvent) =>
  updateControlPlane(event, { eks, now: () => new Date() }),
);

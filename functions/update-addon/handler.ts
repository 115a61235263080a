import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type UpdateAddonEvent, updateAddon } from './update-addon.ts';

const eks = new EKSClient({});

export const handler = makeHandler((event: UpdateAddonEvent) =>
  updateAddon(event, { eks, now: () => new Date() }),
);

import { EKSClient } from '@aws-sdk/client-eks';
import { assumedClients } from '../shared/aws-clients.ts';
import { makeHandler, stepClient } from '../shared/handler-kit.ts';
import { roleArnOf } from '../shared/role-arn.ts';
import {
  type CloseRollbackEvent,
  closeRollback,
  type IncompleteRollbackEvent,
  reportIncompleteRollback,
} from './close-rollback.ts';

const eks = stepClient(new EKSClient({}));
const clientFor = assumedClients();

/** One function for both ends of a rollback: verified, or stopped half-way (the event has the error). */
export const handler = makeHandler((event: CloseRollbackEvent | IncompleteRollbackEvent) =>
  'error' in event
    ? reportIncompleteRollback(event, {
        eks: clientFor('eks', (config) => new EKSClient(config), roleArnOf(event), eks),
      })
    : closeRollback(event, {
        eks: clientFor('eks', (config) => new EKSClient(config), roleArnOf(event), eks),
      }),
);

import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import {
  type CloseRollbackEvent,
  closeRollback,
  type IncompleteRollbackEvent,
  reportIncompleteRollback,
} from './close-rollback.ts';

const eks = new EKSClient({});

/** One function for both ends of a rollback: verified, or stopped half-way (the event has the error). */
export const handler = makeHandler((event: CloseRollbackEvent | IncompleteRollbackEvent) =>
  'error' in event ? reportIncompleteRollback(event, { eks }) : closeRollback(event, { eks }),
);

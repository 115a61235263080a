import { EKSClient } from '@aws-sdk/client-eks';
import { makeHandler } from '../shared/handler-kit.ts';
import { type CloseRollbackEvent, closeRollback } from './close-rollback.ts';

const eks = new EKSClient({});

export const handler = makeHandler((event: CloseRollbackEvent) => closeRollback(event, { eks }));

import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { roleAccessKeyId } from '../simulator/index.ts';

// Every handler runs in this one process and shares process.env, so environment credentials cannot
// differ per function. Lambda gives each function its execution role's credentials; here the
// function's (or state machine's) logical id rides along the async context of its work, and each
// outgoing request, before its headers are sent, is re-signed with that role's access key id.
// The simulator does not verify signatures, so only the key id, which names the role, changes.
// Credentials a step got from STS AssumeRole are left as they are.

const actingRole = new AsyncLocalStorage<string>();
let installed = false;

function tagWithRole({ request }: { request: ClientRequest }): void {
  const role = actingRole.getStore();
  const authorization = request.getHeader('authorization');
  if (role === undefined || typeof authorization !== 'string') return;
  // Only the environment's credentials stand for the role: keys a step got from STS (a role it
  // assumed in another account) are its own, and stay.
  const environmentKey = process.env.AWS_ACCESS_KEY_ID;
  if (environmentKey && !authorization.includes(`Credential=${environmentKey}/`)) return;
  request.setHeader(
    'authorization',
    authorization.replace(/Credential=[^/]+\//, `Credential=${roleAccessKeyId(role)}/`),
  );
}

/** Runs work whose AWS calls are signed as the template role of `logicalId` (a function or state machine). */
export function actAs<T>(logicalId: string, work: () => Promise<T>): Promise<T> {
  if (!installed) {
    installed = true;
    subscribe('http.client.request.created', (message) => tagWithRole(message as { request: ClientRequest }));
  }
  return actingRole.run(logicalId, work);
}

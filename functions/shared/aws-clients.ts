import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { stepClient } from './handler-kit.ts';

/** Makes one kind of SDK client from credentials. */
type Make<T extends { middlewareStack: object }> = (config: {
  credentials: ReturnType<typeof fromTemporaryCredentials>;
}) => T;

/**
 * The SDK clients of one function for clusters in other accounts: a client whose credentials come
 * from assuming `roleArn` (STS, refreshed before they expire), one per role and kind, kept across
 * invocations of the container; the function's own client for this account. Called once at module
 * scope, as the function's own clients are made.
 */
export function assumedClients() {
  const made = new Map<string, unknown>();
  return <T extends { middlewareStack: object }>(
    kind: string,
    make: Make<T>,
    roleArn: string | null | undefined,
    own: T,
  ): T => {
    if (!roleArn) return own;
    const key = `${kind}\n${roleArn}`;
    let client = made.get(key) as T | undefined;
    if (!client) {
      client = stepClient(
        make({
          credentials: fromTemporaryCredentials({
            params: { RoleArn: roleArn, RoleSessionName: 'eks-upgrade', DurationSeconds: 900 },
          }),
        }),
      );
      made.set(key, client);
    }
    return client;
  };
}

import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { ApiError } from './model.ts';

// What the protocol modules (restJson1 EKS, awsQuery ASG/SNS, awsJson1_1 SSM, awsJson1_0 CloudWatch) share
// with the server.

export type Service =
  | 'eks'
  | 'autoscaling'
  | 'ssm'
  | 'sns'
  | 'sfn'
  | 'cloudwatch'
  | 'sts'
  | 'ec2'
  | 'cloudformation';

export interface IncomingRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  requestId: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  errorCode?: string;
}

/** A request the server recognised: what it is, how to answer it, and how to fail it in its protocol. */
export interface RoutedRequest {
  service: Service;
  operation: string;
  mutating: boolean;
  params: Record<string, unknown>;
  /** @throws ApiError for an AWS error answer. */
  run(): Reply;
  renderError(error: ApiError): Reply;
}

/** Epoch seconds, the restJson1 and awsJson timestamp format the SDK expects. */
export const seconds = (ms: number): number => ms / 1000;

/** Query parameters as a record; a repeated key becomes an array. */
export function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}

/**
 * One page of a list, with an opaque token (base64 of the offset) for the next one.
 * @throws ApiError (from invalid()) when the token or the page size is not valid.
 */
export function paginate<T>(
  items: readonly T[],
  options: {
    maxResults: number | undefined;
    nextToken: string | undefined;
    defaultMax: number;
    limit: number;
    /** The page-size parameter's wire name, for the error message. */
    maxName: string;
  },
  invalid: (message: string) => ApiError,
): { page: T[]; nextToken?: string } {
  const max = options.maxResults ?? options.defaultMax;
  if (!Number.isInteger(max) || max < 1 || max > options.limit) {
    throw invalid(`${options.maxName} must be between 1 and ${options.limit}`);
  }
  let offset = 0;
  if (options.nextToken) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(options.nextToken, 'base64url').toString('utf8'));
    if (!decoded) throw invalid('The pagination token is not valid');
    offset = Number(decoded[1]);
  }
  const page = items.slice(offset, offset + max);
  const next = offset + max;
  return next < items.length
    ? { page, nextToken: Buffer.from(`offset:${next}`, 'utf8').toString('base64url') }
    : { page };
}

/**
 * Validates a decoded request body; unknown fields are dropped, as AWS ignores what it does not model.
 * @throws ApiError (from invalid()) naming the first bad field.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  invalid: (message: string) => ApiError,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(
      `Invalid request: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'bad input'}`,
    );
  }
  return result.data;
}

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';

/** One logger per container; POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL come from template.yaml. */
export const logger = new Logger();

/**
 * Wraps a step's core in middy with the Lambda context in every log line.
 * The core stays a plain async function of its input, so tests call it directly.
 */
export function makeHandler<Input, Output>(step: (input: Input) => Promise<Output>) {
  return middy<Input, Output>()
    .use(injectLambdaContext(logger, { logEvent: true }))
    .handler((input) => step(input));
}

/**
 * An environment variable the template sets, read once at init.
 * @throws Error naming the variable, so a misconfigured function fails at its first cold start.
 */
export function requiredEnvironment(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`Environment variable ${name} is not set; template.yaml sets it for this function.`);
  return value;
}

/**
 * What every function's dependencies are built from, and the `handler` every function exports
 * (docs/architecture.md#functions-handlers-and-dependencies). Each `functions/<name>.ts` exports
 * `makeHandler(deps)`, `depsFor(runtime)` and `handler = lambdaHandler(makeHandler, depsFor)`. In AWS the
 * runtime comes from the environment; the lab and tests build their own (an environment record, client
 * settings pointing at the lab, a virtual clock) and never write `process.env`.
 */
import type { Context } from 'aws-lambda';
import { appLogger, appMetrics, type FunctionMetrics, type LambdaHandler, withObservability } from './observability.js';
import type { Clock, Logger } from './ports.js';

/** Options every official AWS SDK v3 client constructor takes (region, endpoint override, credentials). */
export interface AwsClientSettings {
  region?: string;
  /** The lab's edge URL; unset in AWS (the SDK then also honours AWS_ENDPOINT_URL). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The outside world as a function sees it. */
export interface FunctionRuntime {
  /** The environment variables the function's config loaders read (`loadConfig(runtime.env)`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Passed to every AWS client the function builds. */
  aws: AwsClientSettings;
  clock: Clock;
  logger: Logger;
  metrics: FunctionMetrics;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => new Date() };

/** The runtime of a deployed function: process.env, the SDK's default client settings, Powertools. */
export function runtimeFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): FunctionRuntime {
  return {
    env,
    aws: env.AWS_REGION ? { region: env.AWS_REGION } : {},
    clock: systemClock,
    logger: appLogger,
    metrics: appMetrics,
  };
}

/**
 * The exported `handler` of a function: dependencies built once, from the environment, on the first
 * invocation (so importing the module never needs the environment), wrapped in the Powertools middleware.
 * @throws ConfigError (from `depsFor`) on the first invocation when the environment is incomplete.
 */
export function lambdaHandler<TDeps, TEvent, TResult>(
  makeHandler: (deps: TDeps) => LambdaHandler<TEvent, TResult>,
  depsFor: (runtime: FunctionRuntime) => TDeps,
): LambdaHandler<TEvent, TResult> {
  let built: LambdaHandler<TEvent, TResult> | undefined;
  return withObservability((event: TEvent, context: Context) => {
    built ??= makeHandler(depsFor(runtimeFromEnvironment()));
    return built(event, context);
  });
}

/**
 * The worker's configuration, read from the environment. The Temporal connection (address, namespace, API key,
 * TLS, profile and config file) is left entirely to `@temporalio/envconfig`, so a worker configured for the
 * `temporal` CLI or Temporal Cloud works unchanged; this module adds only the package's own settings and checks
 * them all at once, so a misconfigured worker reports every problem in one go.
 */
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_API_VERSION } from './activities';
import { DEFAULT_TASK_QUEUE } from './client';

/** The package's own environment variables; the Temporal ones are envconfig's (`TEMPORAL_ADDRESS`, ...). */
export const ENV = {
  taskQueue: 'TEMPORAL_TASK_QUEUE',
  prometheusAddress: 'TEMPORAL_METRICS_PROMETHEUS_ADDRESS',
  logLevel: 'TEMPORAL_LOG_LEVEL',
  pineconeApiKey: 'PINECONE_API_KEY',
  pineconeApiVersion: 'PINECONE_API_VERSION',
  pineconeAllowedHosts: 'PINECONE_ALLOWED_HOSTS',
} as const;

export type Environment = Record<string, string | undefined>;

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Everything the worker needs, validated. */
export interface WorkerConfig {
  /** From envconfig: `connectionOptions` for `NativeConnection.connect`, and the namespace. */
  temporal: ClientConnectConfig;
  namespace: string;
  taskQueue: string;
  pinecone: {
    apiKey: string;
    apiVersion: string;
    /** Undefined: the activities' default, `*.pinecone.io`. */
    allowedHosts?: string[];
  };
  /** `host:port` for the runtime's Prometheus exporter; metrics are off when unset. */
  prometheusAddress?: string;
  logLevel: LogLevel;
}

/** Thrown with every configuration problem found, one sentence each; the message lists them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** What `npm start` should run, decided by what is configured. */
export type StartMode = 'sandbox' | 'worker';

/**
 * Nothing configured (no Temporal address from the environment or a config profile, no Pinecone key): the local
 * sandbox. Both configured: the worker. One without the other is a mistake worth stopping for, since silently
 * falling back to the sandbox would run a production key against nothing, or a production server without a key.
 */
export function chooseStartMode(env: Environment = process.env): StartMode {
  const address = temporalAddress(loadTemporal(env).config);
  const hasKey = nonEmpty(env[ENV.pineconeApiKey]);
  if (address === undefined && !hasKey) return 'sandbox';
  if (address !== undefined && hasKey) return 'worker';
  const missing = address === undefined ? 'TEMPORAL_ADDRESS (or a profile with an address)' : ENV.pineconeApiKey;
  const present = address === undefined ? ENV.pineconeApiKey : 'a Temporal address';
  throw new ConfigError([
    `${present} is set but ${missing} is not: set both to run the worker, or neither to run the local sandbox`,
  ]);
}

/**
 * Reads and validates the worker's configuration. Throws a {@link ConfigError} naming every problem: a missing
 * Temporal address or Pinecone key, an unreadable envconfig profile, an empty task queue, a malformed API
 * version, allowed host or Prometheus address, an unknown log level.
 */
export function loadWorkerConfig(env: Environment = process.env): WorkerConfig {
  const problems: string[] = [];
  const temporal = loadTemporal(env);
  if (temporal.problem !== undefined) problems.push(temporal.problem);
  else if (temporalAddress(temporal.config) === undefined) {
    problems.push('TEMPORAL_ADDRESS is not set (nor an address in the Temporal config profile): e.g. localhost:7233');
  }

  const apiKey = env[ENV.pineconeApiKey];
  if (!nonEmpty(apiKey)) problems.push(`${ENV.pineconeApiKey} is not set: the activities need a Pinecone API key`);

  const taskQueue = env[ENV.taskQueue] ?? DEFAULT_TASK_QUEUE;
  if (!nonEmpty(taskQueue)) problems.push(`${ENV.taskQueue} is empty: unset it for '${DEFAULT_TASK_QUEUE}'`);

  const apiVersion = env[ENV.pineconeApiVersion] ?? DEFAULT_API_VERSION;
  if (!/^(\d{4}-\d{2}|unstable)$/.test(apiVersion)) {
    problems.push(`${ENV.pineconeApiVersion} must look like '${DEFAULT_API_VERSION}' (or be 'unstable')`);
  }

  const allowedHosts = parseAllowedHosts(env[ENV.pineconeAllowedHosts], problems);
  const prometheusAddress = env[ENV.prometheusAddress];
  if (prometheusAddress !== undefined && !/^(\[[0-9a-fA-F:]+\]|[^\s:[\]]+):\d{1,5}$/.test(prometheusAddress)) {
    problems.push(`${ENV.prometheusAddress} must be host:port, e.g. 0.0.0.0:9464`);
  }
  const logLevel = (env[ENV.logLevel] ?? 'INFO').toUpperCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`${ENV.logLevel} must be one of ${LOG_LEVELS.join(', ')}`);

  if (problems.length > 0 || temporal.config === undefined || apiKey === undefined) throw new ConfigError(problems);
  const config: WorkerConfig = {
    temporal: temporal.config,
    namespace: temporal.config.namespace ?? 'default',
    taskQueue,
    pinecone: { apiKey, apiVersion },
    logLevel,
  };
  if (allowedHosts !== undefined) config.pinecone.allowedHosts = allowedHosts;
  if (prometheusAddress !== undefined) config.prometheusAddress = prometheusAddress;
  return config;
}

/** envconfig's profile, or the reason it could not be read (a missing profile, a malformed TOML file). */
function loadTemporal(env: Environment): { config?: ClientConnectConfig; problem?: string } {
  try {
    return { config: loadClientConnectConfig({ overrideEnvVars: definedOnly(env) }) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problem: `the Temporal client configuration could not be loaded: ${reason}` };
  }
}

// Host names, `*.` wildcards, bracket-less IPv6 literals; no scheme, port or path, which the allowlist never matches.
const ALLOWED_HOST_ENTRY = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^[0-9a-f:]+$/i;

function parseAllowedHosts(raw: string | undefined, problems: string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    problems.push(`${ENV.pineconeAllowedHosts} is empty: unset it for '*.pinecone.io', or list host names`);
    return undefined;
  }
  for (const entry of entries.filter((candidate) => !ALLOWED_HOST_ENTRY.test(candidate))) {
    problems.push(
      `${ENV.pineconeAllowedHosts} entry '${entry}' is not a host name or '*.' wildcard (no scheme, port or path)`,
    );
  }
  return entries.filter((entry) => entry !== '');
}

function temporalAddress(config: ClientConnectConfig | undefined): string | undefined {
  const address = config?.connectionOptions.address;
  return nonEmpty(address) ? address : undefined;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function definedOnly(env: Environment): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

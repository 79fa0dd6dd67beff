import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseStartMode, ConfigError, loadWorkerConfig, type Environment } from '../src/config';

// Every environment below is complete on its own: no HOME, so no user config file is read.
const VALID: Environment = { TEMPORAL_ADDRESS: 'temporal.example.internal:7233', PINECONE_API_KEY: 'pcsk_config' };

function problemsOf(env: Environment): string[] {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

function configFile(contents: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tpi-config-')), 'temporal.toml');
  writeFileSync(file, contents);
  return file;
}

describe('loadWorkerConfig', () => {
  it('applies the defaults to a minimal configuration', () => {
    const config = loadWorkerConfig(VALID);
    assert.equal(config.temporal.connectionOptions.address, 'temporal.example.internal:7233');
    assert.equal(config.namespace, 'default');
    assert.equal(config.taskQueue, 'pinecone-imports');
    assert.deepEqual(config.pinecone, { apiKey: 'pcsk_config', apiVersion: '2025-04' });
    assert.equal(config.prometheusAddress, undefined);
    assert.equal(config.logLevel, 'INFO');
  });

  it('reads every setting of the package', () => {
    const config = loadWorkerConfig({
      ...VALID,
      TEMPORAL_NAMESPACE: 'imports',
      TEMPORAL_TASK_QUEUE: 'bulk',
      PINECONE_API_VERSION: '2025-10',
      PINECONE_ALLOWED_HOSTS: '*.pinecone.io, 127.0.0.1 ,localhost',
      TEMPORAL_METRICS_PROMETHEUS_ADDRESS: '0.0.0.0:9464',
      TEMPORAL_LOG_LEVEL: 'debug',
    });
    assert.equal(config.namespace, 'imports');
    assert.equal(config.taskQueue, 'bulk');
    assert.equal(config.pinecone.apiVersion, '2025-10');
    assert.deepEqual(config.pinecone.allowedHosts, ['*.pinecone.io', '127.0.0.1', 'localhost']);
    assert.equal(config.prometheusAddress, '0.0.0.0:9464');
    assert.equal(config.logLevel, 'DEBUG');
  });

  it('leaves Temporal Cloud settings to envconfig: an API key turns TLS on', () => {
    const config = loadWorkerConfig({
      ...VALID,
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'imports.a1b2c',
      TEMPORAL_API_KEY: 'temporal-cloud-key',
    });
    assert.equal(config.temporal.connectionOptions.apiKey, 'temporal-cloud-key');
    assert.equal(config.temporal.connectionOptions.tls, true);
    assert.equal(config.namespace, 'imports.a1b2c');
  });

  it('takes the address and namespace from a config file profile', () => {
    const file = configFile('[profile.prod]\naddress = "prod.internal:7233"\nnamespace = "prod"\n');
    const config = loadWorkerConfig({ PINECONE_API_KEY: 'k', TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    assert.equal(config.temporal.connectionOptions.address, 'prod.internal:7233');
    assert.equal(config.namespace, 'prod');
  });

  it('reports a missing Pinecone API key', () => {
    assert.deepEqual(problemsOf({ TEMPORAL_ADDRESS: 'localhost:7233' }), [
      'PINECONE_API_KEY is not set: the activities need a Pinecone API key',
    ]);
  });

  it('reports a blank Pinecone API key as missing', () => {
    assert.deepEqual(problemsOf({ ...VALID, PINECONE_API_KEY: '  ' }), [
      'PINECONE_API_KEY is not set: the activities need a Pinecone API key',
    ]);
  });

  it('reports a missing Temporal address', () => {
    assert.deepEqual(problemsOf({ PINECONE_API_KEY: 'k' }), [
      'TEMPORAL_ADDRESS is not set (nor an address in the Temporal config profile): e.g. localhost:7233',
    ]);
  });

  it('reports a profile that the config file does not have', () => {
    const file = configFile('[profile.default]\naddress = "localhost:7233"\n');
    assert.deepEqual(problemsOf({ ...VALID, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }), [
      "the Temporal client configuration could not be loaded: Profile 'staging' not found in config data",
    ]);
  });

  it('reports a config file that is not TOML', () => {
    const [problem] = problemsOf({ ...VALID, TEMPORAL_CONFIG_FILE: configFile('[profile.default\naddress = ') });
    assert.match(problem!, /^the Temporal client configuration could not be loaded: /);
  });

  it('reports an empty task queue', () => {
    assert.deepEqual(problemsOf({ ...VALID, TEMPORAL_TASK_QUEUE: '' }), [
      "TEMPORAL_TASK_QUEUE is empty: unset it for 'pinecone-imports'",
    ]);
  });

  it('reports a malformed Pinecone API version', () => {
    assert.deepEqual(problemsOf({ ...VALID, PINECONE_API_VERSION: 'v1' }), [
      "PINECONE_API_VERSION must look like '2025-04' (or be 'unstable')",
    ]);
  });

  it('reports an allowed-hosts entry with a scheme or port', () => {
    const requirement = "is not a host name or '*.' wildcard (no scheme, port or path)";
    assert.deepEqual(problemsOf({ ...VALID, PINECONE_ALLOWED_HOSTS: 'https://a.pinecone.io,b.internal:443,ok.io' }), [
      `PINECONE_ALLOWED_HOSTS entry 'https://a.pinecone.io' ${requirement}`,
      `PINECONE_ALLOWED_HOSTS entry 'b.internal:443' ${requirement}`,
    ]);
  });

  it('reports an empty allowed-hosts list', () => {
    assert.deepEqual(problemsOf({ ...VALID, PINECONE_ALLOWED_HOSTS: ' , ' }), [
      "PINECONE_ALLOWED_HOSTS is empty: unset it for '*.pinecone.io', or list host names",
    ]);
  });

  it('reports a Prometheus address without a port', () => {
    assert.deepEqual(problemsOf({ ...VALID, TEMPORAL_METRICS_PROMETHEUS_ADDRESS: 'localhost' }), [
      'TEMPORAL_METRICS_PROMETHEUS_ADDRESS must be host:port, e.g. 0.0.0.0:9464',
    ]);
  });

  it('reports an unknown log level', () => {
    assert.deepEqual(problemsOf({ ...VALID, TEMPORAL_LOG_LEVEL: 'LOUD' }), [
      'TEMPORAL_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR',
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ TEMPORAL_TASK_QUEUE: '', PINECONE_API_VERSION: 'x' });
    assert.equal(problems.length, 4);
    assert.match(new ConfigError(problems).message, /^Invalid configuration:\n {2}- TEMPORAL_ADDRESS/);
  });

  it('never puts the Pinecone API key into a problem', () => {
    const problems = problemsOf({ PINECONE_API_KEY: 'pcsk_secret_value', PINECONE_API_VERSION: 'pcsk_secret_value' });
    assert.ok(problems.length > 0);
    assert.ok(problems.every((problem) => !problem.includes('pcsk_secret_value')));
  });
});

describe('chooseStartMode', () => {
  it('runs the sandbox when neither a Temporal address nor a Pinecone key is configured', () => {
    assert.equal(chooseStartMode({}), 'sandbox');
  });

  it('runs the worker when both are configured', () => {
    assert.equal(chooseStartMode(VALID), 'worker');
  });

  it('counts an address from a config file profile as configured', () => {
    const file = configFile('[profile.default]\naddress = "localhost:7233"\n');
    assert.equal(chooseStartMode({ PINECONE_API_KEY: 'k', TEMPORAL_CONFIG_FILE: file }), 'worker');
  });

  it('refuses a Pinecone key without a Temporal address, naming what is missing', () => {
    assert.throws(() => chooseStartMode({ PINECONE_API_KEY: 'k' }), {
      name: 'ConfigError',
      problems: [
        'PINECONE_API_KEY is set but TEMPORAL_ADDRESS (or a profile with an address) is not: set both to run the ' +
          'worker, or neither to run the local sandbox',
      ],
    });
  });

  it('refuses a Temporal address without a Pinecone key, naming what is missing', () => {
    assert.throws(() => chooseStartMode({ TEMPORAL_ADDRESS: 'localhost:7233' }), {
      name: 'ConfigError',
      problems: [
        'a Temporal address is set but PINECONE_API_KEY is not: set both to run the worker, or neither to run the ' +
          'local sandbox',
      ],
    });
  });
});

import assert from 'node:assert/strict';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ActivityOptions } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { NON_RETRYABLE_ACTIVITY_FAILURE_TYPES } from '../../src/failures';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../src/activities';
import {
  cancelImportActivityOptions,
  describeImportActivityOptions,
  listImportsActivityOptions,
  startImportActivityOptions,
} from '../../src/activities/options';

const all: [string, ActivityOptions][] = [
  ['startImport', startImportActivityOptions],
  ['describeImport', describeImportActivityOptions],
  ['listImports', listImportsActivityOptions],
  ['cancelImport', cancelImportActivityOptions],
];

describe('recommended activity options', () => {
  for (const [name, options] of all) {
    it(`bounds ${name} retries, never retries final failures, outlasts the request timeout`, () => {
      assert.ok(msToNumber(options.startToCloseTimeout!) > DEFAULT_REQUEST_TIMEOUT_MS);
      assert.ok(msToNumber(options.scheduleToCloseTimeout!) > msToNumber(options.startToCloseTimeout!));
      assert.deepEqual(options.retry?.nonRetryableErrorTypes, [...NON_RETRYABLE_ACTIVITY_FAILURE_TYPES]);
    });
  }

  it('gives cancel a longer retry budget than describe', () => {
    assert.ok(
      msToNumber(cancelImportActivityOptions.scheduleToCloseTimeout!) >
        msToNumber(describeImportActivityOptions.scheduleToCloseTimeout!),
    );
  });

  it('bundles into a workflow together with validation (sandbox-safe)', async function () {
    this.timeout(120_000);
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./fixtures/sandbox-workflow'),
      logger: new DefaultLogger('WARN'),
    });
    assert.match(code, /describeOnceWorkflow/);
    assert.doesNotMatch(code, /undici/);
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createImportActivities } from '../src/activities';
import { cancelImportWorkflow, getImportState, startImportWorkflow } from '../src/client';
import { startPineconeEmulator, type PineconeEmulator } from '../src/testing';
import { devServerEnv, uniqueTaskQueue, withWorker } from './helpers/temporal';

const API_KEY = 'pcsk_browser_test_key';
/** Debian's package (`npm run setup:browser`); Playwright's own browser download is not reachable everywhere. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const UI_URL = 'http://127.0.0.1:8233';
/**
 * The README's picture is refreshed only when asked (`UPDATE_SCREENSHOT=1 npm test`), so a test run leaves the
 * tree clean; otherwise the screenshot goes to the system's temporary folder.
 */
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1'
    ? path.resolve(__dirname, '..', 'docs', 'temporal-ui-import.png')
    : path.join(tmpdir(), 'temporal-pinecone-import-ui.png');

/**
 * The import as an operator sees it: headless Chromium against the dev server's Web UI. The UI renders summary,
 * details and current details as markdown, each in its own iframe, which is where the assertions look.
 */
describe('Temporal Web UI (headless Chromium)', function () {
  this.timeout(120_000);
  this.slow(30_000);
  let env: TestWorkflowEnvironment;
  let emulator: PineconeEmulator;
  let browser: Browser;
  let page: Page;
  const activities = createImportActivities({ apiKey: API_KEY, allowedHosts: ['127.0.0.1'] });

  before(async function () {
    assert.ok(existsSync(CHROMIUM_PATH), `no browser at ${CHROMIUM_PATH}: run \`npm run setup:browser\``);
    env = await devServerEnv();
    // Ten minutes to complete: the import is visibly in progress while the browser looks at it.
    emulator = await startPineconeEmulator({ apiKey: API_KEY, progress: { completeAfterMs: 600_000 } });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    await browser?.close();
    await emulator?.close();
  });

  it('lists the import workflow and shows its summary, details and current progress', async () => {
    const taskQueue = uniqueTaskQueue('browser');
    await withWorker(env, { taskQueue, activities }, async () => {
      const input = { indexHost: emulator.url, uri: `s3://bucket/${taskQueue}/`, pollInterval: '1 second' } as const;
      const handle = await startImportWorkflow(env.client, input, { taskQueue });
      await waitForProgress(handle.workflowId);

      await page.goto(
        `${UI_URL}/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId="${handle.workflowId}"`)}`,
      );
      const row = page.getByRole('row').filter({ hasText: handle.workflowId });
      await row.waitFor();
      assert.match(await row.innerText(), /Running[\s\S]*pineconeImportWorkflow/);

      await page.goto(`${UI_URL}/namespaces/default/workflows/${handle.workflowId}`);
      await page.getByTestId('user-metadata-tab').click();
      const summary = page.frameLocator('iframe[src^="/render?content=Pinecone%20import"]').locator('body');
      const details = page.frameLocator('iframe[src*="Index%20host"]').locator('body');
      const current = page.frameLocator('iframe[src*="Phase"]').locator('body');

      assert.equal((await summary.innerText()).trim(), `Pinecone import: ${input.uri} -> ${emulator.url}`);
      assert.match(
        await details.innerText(),
        new RegExp(`Index host: ${escape(emulator.url)}\\s+Source: ${escape(input.uri)}`),
      );
      const progress = await current.innerText();
      assert.match(progress, /Phase: waiting/);
      assert.match(progress, new RegExp(`Import: ${escape(emulator.imports()[0]!.id)}`));
      assert.match(progress, /Status: InProgress/);
      assert.match(progress, /Progress: \d+(\.\d+)?%/);

      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      assert.ok(statSync(SCREENSHOT).size > 10_000);

      await cancelImportWorkflow(env.client, handle.workflowId, 'browser test done');
      await handle.result();
    });
  });

  /** Waits until the workflow has seen the import in progress, so that its current details show a percentage. */
  async function waitForProgress(workflowId: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const state = await getImportState(env.client, workflowId);
      if (state.import?.status === 'InProgress' && (state.import.percentComplete ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.fail(`${workflowId} never reported progress`);
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Mocha root hooks: shared servers are started lazily by the helpers that need them and torn down here, once,
 * after the whole run.
 */
import { runTeardowns } from './helpers/teardown';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await runTeardowns();
  },
};

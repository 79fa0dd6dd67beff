/** A registry of shared-resource teardowns, run in reverse order by the root `afterAll` hook. */

type Teardown = () => Promise<void>;

const teardowns: Teardown[] = [];

/** Registers `teardown` to run once after the whole test run. */
export function onTeardown(teardown: Teardown): void {
  teardowns.push(teardown);
}

export async function runTeardowns(): Promise<void> {
  const failures: unknown[] = [];
  for (const teardown of teardowns.splice(0).reverse()) {
    try {
      await teardown();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} teardown(s) failed`);
  }
}

import { afterEach, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { CONSOLE_PAGE, seedConsoleApps } from '../helpers/console-page.js';

const apis: TestApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function withApps(count: number): Promise<TestApi> {
  const api = await createTestApi();
  apis.push(api);
  seedConsoleApps(api.repos, count);
  return api;
}

/** Runs the console page and returns its data and the statements it executed and compiled. */
async function consolePage(api: TestApi, first: number, after?: string) {
  const before = api.statements();
  const data = dataOf(await api.gql(CONSOLE_PAGE, { first, after }));
  const after_ = api.statements();
  return { data, executed: after_.executed - before.executed, prepared: after_.prepared - before.prepared };
}

describe('the console page\'s SQL', () => {
  it('executes the same number of statements for 5, 20 and 50 apps', async () => {
    const counts: number[] = [];
    for (const n of [5, 20, 50]) {
      const api = await withApps(n);
      const { data, executed } = await consolePage(api, 50);
      expect(data.apps.totalCount).toBe(n);
      expect(data.apps.edges).toHaveLength(n);
      counts.push(executed);
    }
    console.log('console page statements for 5, 20, 50 apps:', counts);
    expect(new Set(counts).size).toBe(1);
  });
});

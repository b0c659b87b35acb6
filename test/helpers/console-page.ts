import type { Repositories } from '../../src/db/repositories.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { issueTestToken } from './auth.js';

const ACTION = 'http { path port scheme } exec { command }';
const PROBE = `${ACTION} initialDelaySeconds periodSeconds timeoutSeconds successThreshold failureThreshold`;

/**
 * The release console's home page: a page of apps, each with its members and both environments —
 * cluster, draft configuration (every field and list), deployed revision, the order in progress
 * with its batches, revisions and transitions, and the latest order.
 */
export const CONSOLE_PAGE = `query ConsoleHome($first: Int!, $after: String) {
  apps(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id name businessType description appType deployMethod createdAt updatedAt
      members { tokenId tokenName role since tokenActive }
      environments {
        id kind clusterName namespace createdAt
        cluster { id name server reachable sandbox }
        app { id name }
        desiredInstances
        config {
          id version imageTag updatedAt environment { id }
          officialImage image instances cpuMillicores memoryMb deployRootDir terminationGracePeriodSeconds
          logCollection { paths logStore }
          ports { containerPort protocol name }
          env { name value secret hasValue }
          fileMounts { path content sizeBytes }
          directoryMounts { containerPath hostPath }
          livenessProbe { ${PROBE} }
          readinessProbe { ${PROBE} }
          postStart { ${ACTION} }
          preStop { ${ACTION} }
        }
        deployedRevision { id number imageTag imageReference createdBy createdAt instances environment { id } }
        activeReleaseOrder {
          id kind state active direction pauseMode description batchCount batchSizes batchesDone createdBy createdAt updatedAt finishedAt
          environment { id }
          revision { id number imageTag }
          previousRevision { id number imageTag }
          failureReason
          failures { instanceName batch reason message }
          transitions { from to actor reason at }
          batches { number size state failures { instanceName reason } }
        }
        releaseOrders(first: 1) { totalCount edges { node { id state revision { number } } } }
        revisions(first: 2) { totalCount edges { node { id number } } }
      }
    } }
  }
}`;

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 15, minute));

/**
 * `count` apps (named app-001 …), each with a production and a test environment on `clusters`, a
 * member token, and per environment: revision 1 released by a completed order, and revision 2 on its
 * way in an active (DEPLOYING) order with one instance failure.
 */
export async function seedConsoleApps(repos: Repositories, count: number, clusters: readonly [string, string] = ['alpha', 'beta']): Promise<void> {
  const settings = { ...presetSettings('NGINX'), env: [{ name: 'MODE', value: 'live', secret: false }, { name: 'KEY', value: 's3cret', secret: true }] };
  const ids: number[] = [];
  await repos.transaction(async () => {
    for (let i = 1; i <= count; i++) {
      const name = `app-${String(i).padStart(3, '0')}`;
      const app = await repos.apps.create(
        {
          name,
          businessType: 'ERP',
          description: `App ${i}`,
          appType: i % 2 ? 'STATELESS' : 'STATEFUL',
          deployMethod: 'CONTAINER',
          environments: [
            { kind: 'PRODUCTION', cluster: clusters[0], namespace: `cairn-${name}`, imageTag: '1.25', settings },
            { kind: 'TEST', cluster: clusters[1], namespace: `cairn-${name}`, imageTag: '1.25', settings },
          ],
        },
        at(0),
      );
      ids.push(app.id);
      for (const env of await repos.apps.environmentsOfApps([app.id])) {
        const base = { environmentId: env.id, kind: 'RELEASE' as const, plan: [1, 1], pauseMode: 'NONE' as const, direction: 'FORWARD' as const, description: '', createdBy: 'test-admin' };
        const r1 = await repos.releases.createRevision({ environmentId: env.id, image: 'nginx:1.25', imageTag: '1.25', settings, createdBy: 'test-admin' }, at(1));
        const done = await repos.releases.createOrder({ ...base, fromRevision: null, toRevision: r1.number, state: 'COMPLETED', cursor: { ...freshCursor(at(1)), batchesDone: 2 } }, at(1));
        await repos.releases.updateOrder(done, { finishedAt: at(2) }, at(2));
        await repos.releases.addTransition({ orderId: done.id, fromState: null, toState: 'DEPLOYING', actor: 'test-admin', reason: 'submitted', at: at(1) });
        await repos.releases.addTransition({ orderId: done.id, fromState: 'DEPLOYING', toState: 'COMPLETED', actor: 'cairn', reason: 'all batches ready', at: at(2) });
        const r2 = await repos.releases.createRevision({ environmentId: env.id, image: 'nginx:1.27', imageTag: '1.27', settings, createdBy: 'test-admin' }, at(3));
        const active = await repos.releases.createOrder({ ...base, fromRevision: r1.number, toRevision: r2.number, state: 'DEPLOYING', cursor: freshCursor(at(3)) }, at(3));
        await repos.releases.addTransition({ orderId: active.id, fromState: null, toState: 'DEPLOYING', actor: 'test-admin', reason: 'submitted', at: at(3) });
        await repos.releases.addFailure({ orderId: active.id, batch: 0, direction: 'FORWARD', instanceName: `${name}-0`, reason: 'CRASH_LOOP', message: 'back-off restarting', firstSeenAt: at(4) });
      }
    }
  });
  for (const [i, appId] of ids.entries()) await issueTestToken(repos, { name: `owner-${i + 1}`, grants: [{ appId, role: 'OWNER' }] });
}

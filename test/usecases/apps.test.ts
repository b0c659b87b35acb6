import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidInputError, NotAllowedError, NotFoundError } from '../../src/domain/errors.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { createApp, deleteApp, updateApp, type CountRunning } from '../../src/usecases/apps.js';
import { appIn, describeUseCases, NOW, thrown, world } from './fixture.js';

const none: CountRunning = async () => ({ ok: true, running: 0 });

describeUseCases('use cases: apps', (target) => {
  describe('createApp', () => {
    it('creates the app, its two environments and their drafts from the official image, at once', async () => {
      const w = await world(target);
      const app = await createApp(w, { name: 'shop', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', officialImage: 'NGINX' });
      expect(app).toMatchObject({ name: 'shop', businessType: 'ERP', description: '', appType: 'STATELESS', deployMethod: 'CONTAINER', createdAt: NOW });
      const envs = await w.repos.apps.environmentsOfApps([app.id]);
      expect(envs.map((e) => [e.kind, e.cluster, e.namespace])).toEqual([
        ['PRODUCTION', 'alpha', 'cairn-shop'],
        ['TEST', 'beta', 'cairn-shop'],
      ]);
      const draft = (await w.repos.configs.byEnvironmentId(envs[0]!.id))!;
      expect(draft.settings.officialImage).toBe('NGINX');
      expect(draft.imageTag).not.toBeNull();
      expect(w.logged).toContain('app created');
    });

    it('reports every problem of the input at once, sorted by path, and writes nothing', async () => {
      const w = await world(target);
      const error = await thrown(() => createApp(w, { name: '9shop', businessType: 'HR', productionCluster: 'alpha', testCluster: 'alpha' }));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).problems.map((p) => [p.path.join('.'), p.code])).toEqual([
        ['input.businessType', 'UNKNOWN_VALUE'],
        ['input.name', 'INVALID_FORMAT'],
        ['input.testCluster', 'SAME_CLUSTER'],
      ]);
      expect(await w.repos.apps.byName('9shop')).toBeUndefined();
    });

    it('refuses a taken name at input.name', async () => {
      const w = await world(target);
      await appIn(w);
      const error = await thrown(() => createApp(w, { name: 'shop', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta' }));
      expect(error).toBeInstanceOf(AlreadyExistsError);
      expect(error).toMatchObject({ path: ['input', 'name'], message: 'An app named "shop" already exists; choose another name.' });
    });

    it('creates one app of two concurrent creates of a name; the other is refused at input.name, and nothing of it stays', async () => {
      const w = await world(target);
      const input = { name: 'twin', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', officialImage: 'NGINX' as const };
      const outcomes = await Promise.allSettled([createApp(w, input), createApp(w, { ...input, description: 'the other' })]);
      const created = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(created).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(AlreadyExistsError);
      expect(refused[0]).toMatchObject({ path: ['input', 'name'] });
      const app = (await w.repos.apps.byName('twin'))!;
      expect((await w.repos.apps.environmentsOfApps([app.id])).map((e) => e.kind)).toEqual(['PRODUCTION', 'TEST']);
      expect(await w.repos.apps.count({})).toBe(1);
    });
  });

  describe('updateApp', () => {
    it('changes the fields given and keeps the others', async () => {
      const w = await world(target);
      const { app } = await appIn(w);
      expect(await updateApp(w, { id: app.id }, { description: 'the shop' })).toMatchObject({ businessType: 'ERP', description: 'the shop' });
      expect(await updateApp(w, { id: app.id }, { businessType: 'CRM', description: null })).toMatchObject({ businessType: 'CRM', description: 'the shop' });
    });

    it('refuses an ID that names no app before the input, and a missing app after it', async () => {
      const w = await world(target);
      const malformed = await thrown(() => updateApp(w, { id: null, sent: 'nonsense' }, { businessType: 'HR' }));
      expect(malformed).toBeInstanceOf(NotFoundError);
      expect(malformed).toMatchObject({ message: 'No app has the ID nonsense.', path: ['input', 'id'] });
      expect(await thrown(() => updateApp(w, { id: 99 }, { businessType: 'HR' }))).toBeInstanceOf(InvalidInputError);
      // Without the ID as sent, the error quotes the app's global ID.
      expect(await thrown(() => updateApp(w, { id: 99 }, {}))).toMatchObject({ message: `No app has the ID ${btoa('App:99')}.` });
    });
  });

  describe('deleteApp', () => {
    it('deletes the app with its environments when neither runs instances', async () => {
      const w = await world(target);
      const { app } = await appIn(w);
      const asked: string[] = [];
      const count: CountRunning = async (cluster, namespace, name) => (asked.push(`${cluster}/${namespace}/${name}`), { ok: true, running: 0 });
      expect(await deleteApp({ ...w, countRunning: count }, { id: app.id })).toMatchObject({ id: app.id });
      expect(asked).toEqual(['alpha/cairn-shop/shop', 'beta/cairn-shop/shop']);
      expect(await w.repos.apps.byIds([app.id])).toEqual([]);
      expect(await w.repos.apps.environmentsOfApps([app.id])).toEqual([]);
    });

    it('refuses while an environment runs instances, or when a cluster cannot tell', async () => {
      const w = await world(target);
      const { app } = await appIn(w);
      const running = await thrown(() => deleteApp({ ...w, countRunning: async (c) => ({ ok: true, running: c === 'beta' ? 2 : 0 }) }, { id: app.id }));
      expect(running).toBeInstanceOf(NotAllowedError);
      expect(running.message).toBe(
        'The TEST environment still runs 2 instance(s) of "shop" in namespace cairn-shop on cluster beta; scale it to zero or remove its workloads first, then delete the app.',
      );
      const silent = await thrown(() => deleteApp({ ...w, countRunning: async () => ({ ok: false, error: 'HTTP 503' }) }, { id: app.id }));
      expect(silent.message).toContain('the cluster "alpha" did not answer (HTTP 503)');
      expect(await w.repos.apps.byIds([app.id])).toHaveLength(1);
    });

    it('refuses while the app has an active release order, without asking the clusters', async () => {
      const w = await world(target);
      const { app, production } = await appIn(w);
      const revision = await w.repos.releases.createRevision({ environmentId: production.id, image: 'nginx:1.25', imageTag: '1.25', settings: (await w.repos.configs.byEnvironmentId(production.id))!.settings, createdBy: 'root' }, NOW);
      await w.repos.releases.createOrder(
        { environmentId: production.id, kind: 'RELEASE', fromRevision: null, toRevision: revision.number, plan: [1, 1], pauseMode: 'FIRST_BATCH', state: 'DEPLOYING', direction: 'FORWARD', cursor: freshCursor(NOW), description: '', createdBy: 'root' },
        NOW,
      );
      let asked = 0;
      const error = await thrown(() => deleteApp({ ...w, countRunning: async () => (asked++, { ok: true, running: 0 }) }, { id: app.id }));
      expect(error).toBeInstanceOf(NotAllowedError);
      expect(error.message).toBe('The app "shop" has an active release order; close it (or let it finish) first, then delete the app.');
      expect(asked).toBe(0);
    });

    it('is a NotFoundError at input.id for an app that does not exist', async () => {
      const w = await world(target);
      const error = await thrown(() => deleteApp({ ...w, countRunning: none }, { id: 7, sent: 'QXBwOjc=' }));
      expect(error).toMatchObject({ code: 'NOT_FOUND', path: ['input', 'id'], message: 'No app has the ID QXBwOjc=.' });
    });
  });
});

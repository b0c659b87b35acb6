/** environment.instances / events, instance(id) through node, instance.events, and instanceEvents over graphql-ws and SSE. */
import { afterEach, describe, expect, it } from 'vitest';
import { INSTANCE_EVENTS, INSTANCE_FIELDS, startLiveHarness, type LiveHarness } from './harness.js';

let h: LiveHarness;
afterEach(async () => {
  await h?.close();
});

const data = (res: { data?: any; errors?: any[] }) => {
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
};

describe('queries', () => {
  it('lists instances with their derived status, and events newest first', async () => {
    h = await startLiveHarness();
    await h.createPod('web-production-r1-a');
    await h.createPod('web-production-r1-b');
    await h.setPodStatus('web-production-r1-b', {
      phase: 'Running',
      startTime: new Date('2026-11-25T16:00:00Z'),
      podIP: '10.0.0.7',
      containerStatuses: [
        { name: 'web', image: 'nginx:1.25', imageID: '', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } },
      ],
    });
    await h.createEvent('web-production-r1-b', 'Normal', 'Pulled', 'pulled the image');
    await h.createEvent('web-production-r1-b', 'Warning', 'BackOff', 'Back-off restarting failed container');
    await h.createEvent('someone-else', 'Warning', 'BackOff', 'not ours');

    const env = data(
      await h.gql(`query ($id: ID!) { node(id: $id) { ... on Environment {
        runningInstances
        instances { ${INSTANCE_FIELDS} events { edges { node { reason } } } }
        events(first: 10) { edges { node { instanceName type reason count } } }
        warnings: events(warningsOnly: true) { edges { node { reason } } }
      } } }`, { id: h.env.id }),
    ).node;
    expect(env.instances.map((i: any) => [i.name, i.status, i.restarts, i.ip])).toEqual([
      ['web-production-r1-a', 'PENDING', 0, null],
      ['web-production-r1-b', 'CRASH_LOOP', 4, '10.0.0.7'],
    ]);
    const b = env.instances[1];
    expect(b).toMatchObject({ startedAt: '2026-11-25T16:00:00.000Z', containers: [{ name: 'web', state: 'WAITING', reason: 'CrashLoopBackOff', restarts: 4 }], problem: { reason: 'CRASH_LOOP' } });
    expect(b.events.edges.map((e: any) => e.node.reason)).toEqual(['BackOff', 'Pulled']);
    expect(env.events.edges.map((e: any) => e.node.reason)).toEqual(['BackOff', 'Pulled']);
    expect(env.warnings.edges.map((e: any) => e.node.reason)).toEqual(['BackOff']);

    const one = data(await h.gql(`query ($id: ID!) { node(id: $id) { __typename ... on Instance { name status environment { id } } } }`, { id: b.id })).node;
    expect(one).toEqual({ __typename: 'Instance', name: 'web-production-r1-b', status: 'CRASH_LOOP', environment: { id: h.env.id } });
  });
});

describe.each(['ws', 'sse'] as const)('instanceEvents over %s', (transport) => {
  it('follows Warning events of one instance, in order', async () => {
    h = await startLiveHarness();
    await h.createPod('web-production-r1-a');
    await h.createPod('web-production-r1-b');
    await h.createEvent('web-production-r1-a', 'Warning', 'Old', 'before the subscription');
    const env = data(await h.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { instances { id name } } } }`, { id: h.env.id })).node;
    const a = env.instances.find((i: any) => i.name === 'web-production-r1-a');

    const sub = h[transport](INSTANCE_EVENTS, { instance: a.id, warningsOnly: true });
    const snapshot = await sub.next();
    expect(snapshot).toMatchObject({ kind: 'SNAPSHOT', events: [{ reason: 'Old' }] });
    await h.createEvent('web-production-r1-a', 'Normal', 'Started', 'not a warning');
    await h.createEvent('web-production-r1-b', 'Warning', 'Unhealthy', 'another instance');
    for (let n = 1; n <= 5; n++) await h.createEvent('web-production-r1-a', 'Warning', `Warning${n}`, `number ${n}`);
    const got = await sub.take(5);
    expect(got.map((e) => [e.kind, e.event.reason])).toEqual([1, 2, 3, 4, 5].map((n) => ['SYSTEM_EVENT', `Warning${n}`]));
    sub.close();

    const all = h[transport](INSTANCE_EVENTS, { environment: h.env.id, after: got[1].cursor });
    expect((await all.take(3)).map((e) => e.event.reason)).toEqual(['Warning3', 'Warning4', 'Warning5']);
    all.close();
  });
});

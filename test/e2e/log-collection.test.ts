/**
 * Log collection end to end: an app released with a collected log file runs with the collector's
 * variables and an emptyDir at the log directory, and the file is there, at its path, with the
 * app's log lines — read from inside an instance through exec, as a node collector reads it from
 * the volume on the host. And the example collector of deploy/log-collection/ is accepted by the
 * API server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadAllYaml, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { realCluster } from './clusters.js';
import { exec, podsApi, until, useCairn, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, readOrder } from './operations.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
useCairn((running) => ({ cairn, sandboxes } = running));

const ERRORS = `... on Error { __typename message code } ... on InvalidInputError { problems { path code message } }`;

async function configure(envId: string, logCollection: { paths: string[]; logStore: string | null }) {
  const read = await cairn.gql(`query ($id: ID!) { node(id: $id) { ... on Environment { config { version } } } }`, { id: envId });
  const probe = { http: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 2 };
  const config = { officialImage: 'NGINX', instances: 2, readinessProbe: probe, livenessProbe: null, terminationGracePeriodSeconds: 1, logCollection };
  const res = await cairn.gql(
    `mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename ${ERRORS} } }`,
    { input: { environment: envId, version: read.data.node.config.version, config } },
  );
  return res.data.updateDeploymentConfig;
}

describe('log collection', () => {
  it('refuses a log file directly under / (its directory cannot be a volume), naming the path', async () => {
    const { envId } = await createApp(cairn, 'unlogged', 'STATELESS');
    const refused = await configure(envId, { paths: ['/app.log'], logStore: 'shop-logs' });
    expect(refused.__typename).toBe('InvalidInputError');
    expect(refused.problems).toEqual([expect.objectContaining({ path: ['input', 'config', 'logCollection', 'paths', '0'], code: 'NOT_ALLOWED' })]);
    // An empty volume at /var/log would hide nginx's own /var/log/nginx: a directory of the app's own below it.
    const hiding = await configure(envId, { paths: ['/var/log/*.log'], logStore: 'shop-logs' });
    expect(hiding.problems).toEqual([expect.objectContaining({ path: ['input', 'config', 'logCollection', 'paths', '0'], code: 'NOT_ALLOWED', message: expect.stringContaining('e.g. /var/log/app') })]);
    // Without a store nothing is collected: the paths accepted before the rules existed still are.
    expect(await configure(envId, { paths: ['/app.log', '/etc/app.log', '/var/log/*/app.log'], logStore: null })).toEqual({ __typename: 'UpdateDeploymentConfigPayload' });
  });

  it('a released app writes its log file on a volume at the configured path, with the collector variables', async () => {
    const { envId } = await createApp(cairn, 'logged', 'STATELESS');
    expect(await configure(envId, { paths: ['/var/log/shop/*.log', 'stdout'], logStore: 'shop-logs' })).toEqual({ __typename: 'UpdateDeploymentConfigPayload' });
    await cairn.gql(`mutation ($input: SetImageTagInput!) { setImageTag(input: $input) { __typename } }`, { input: { environment: envId, imageTag: '1.27' } });
    const order = (await createOrder(cairn, { environment: envId, batchCount: 1, pauseMode: 'NONE' })).releaseOrder;
    await until('COMPLETED', async () => ((await readOrder(cairn, order.id)).state === 'COMPLETED' ? true : undefined), 60_000);

    const kc = sandboxes.kubeConfig('e2e-production');
    const pods = (await podsApi(kc).listNamespacedPod({ namespace: 'cairn-logged', labelSelector: 'cairn.dev/app=logged' })).items;
    expect(pods).toHaveLength(2);
    const pod = pods[0]!;
    expect(pod.spec!.volumes).toContainEqual({ name: 'logs-0', emptyDir: { sizeLimit: '1Gi' } });
    expect(pod.spec!.containers[0]!.volumeMounts).toContainEqual(expect.objectContaining({ name: 'logs-0', mountPath: '/var/log/shop' }));

    const name = pod.metadata!.name!;
    const env = await exec(kc, 'cairn-logged', name, 'logged', ['env']);
    expect(env).toContain('aliyun_logs_shop-logs=/var/log/shop/*.log');
    expect(env).toContain('aliyun_logs_shop-logs-2=stdout');
    expect(env).toContain('aliyun_logs_shop-logs-2_target=shop-logs');
    expect(await exec(kc, 'cairn-logged', name, 'logged', ['ls', '/var/log/shop'])).toContain('app.log');
    // The file holds what the container printed (nginx's start-up lines), as the container log does.
    const file = await exec(kc, 'cairn-logged', name, 'logged', ['cat', '/var/log/shop/app.log']);
    expect(file).toContain('Configuration complete; ready for start up');
    const log = (await podsApi(kc).readNamespacedPodLog({ namespace: 'cairn-logged', name })) as string;
    expect(log.split('\n')[0]).toBe(file.split('\n')[0]);

    // A release that adds a log volume says so before it is submitted: the volume hides what the image has there.
    expect(await configure(envId, { paths: ['/var/log/shop/*.log', 'stdout', '/var/log/nginx/*.log'], logStore: 'shop-logs' })).toEqual({ __typename: 'UpdateDeploymentConfigPayload' });
    const preview = await cairn.gql(`query ($id: ID!) { previewRelease(environment: $id, batchCount: 1) { __typename ... on ReleasePreview { warnings { path code message } problems { code } } } }`, { id: envId });
    expect(preview.data.previewRelease.problems).toEqual([]);
    expect(preview.data.previewRelease.warnings).toEqual([{ path: ['logCollection', 'paths'], code: 'LOG_VOLUME_ADDED', message: expect.stringContaining('a new empty volume at /var/log/nginx') }]);
  });

  it('the example collector (deploy/log-collection/) is accepted by the API server', async () => {
    const dir = resolve(import.meta.dirname, '../../deploy/log-collection');
    const file = join(dir, 'log-pilot.yaml');
    const objects = loadAllYaml(readFileSync(file, 'utf8')) as { kind: string; metadata: { name: string }; spec?: any }[];
    const namespace = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
    const kc = sandboxes.kubeConfig('e2e-production');
    const core = podsApi(kc);
    // A server-side dry run of namespaced objects needs their namespace.
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    try {
      if (realCluster()) {
        // kube-apiserver v1.20.2: every object, as `kubectl apply` sends it.
        const work = mkdtempSync(join(tmpdir(), 'cairn-log-pilot-'));
        try {
          writeFileSync(join(work, 'kubeconfig'), sandboxes.clusters.find((c) => c.name === 'e2e-production')!.kubeconfig);
          const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', join(work, 'kubeconfig'), 'apply', '--dry-run=server', '-f', dir], { timeout: 60_000 });
          expect(stdout.trim().split('\n')).toEqual([`namespace/${namespace} configured (server dry run)`, `configmap/log-pilot created (server dry run)`, `daemonset.apps/log-pilot created (server dry run)`]);
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      } else {
        // The sandbox serves no DaemonSets: the pod its controller would create, in a dry run.
        const template = objects.find((o) => o.kind === 'DaemonSet')!.spec.template;
        const pod: V1Pod = { metadata: { name: 'log-pilot-check', labels: template.metadata.labels }, spec: template.spec };
        const created = await core.createNamespacedPod({ namespace, body: pod, dryRun: 'All' });
        expect(created.spec!.volumes!.find((v) => v.name === 'host-root')!.hostPath).toEqual({ path: '/', type: 'Directory' });
      }
    } finally {
      await core.deleteNamespace({ name: namespace });
    }
  });
});

/** Log collection as the pod renders it: log-pilot variables and emptyDir volumes (pure). */
import { describe, expect, it } from 'vitest';
import { emptySettings, type ConfigSettings } from '../../../src/domain/config-types.js';
import { logKey, renderDeployment, renderLogCollection, renderPodTemplate } from '../../../src/kube/render/index.js';

const target = { namespace: 'cairn-shop', appName: 'shop', environmentKind: 'PRODUCTION' as const };
const settings = (paths: string[], logStore: string | null, extra: Partial<ConfigSettings> = {}): ConfigSettings => ({
  ...emptySettings(),
  image: 'nginx',
  logCollection: { paths, logStore },
  ...extra,
});
const TAGS = 'app=shop,environment=production';

describe('logKey', () => {
  it('is the store for the first path, then <store>-<n>; never a `_` or `.` (log-pilot splits names on them)', () => {
    expect(logKey('shop-logs', 0)).toBe('shop-logs');
    expect(logKey('shop-logs', 2)).toBe('shop-logs-3');
    expect(logKey('shop_logs.v2', 0)).toBe('shop-logs-v2');
  });
});

describe('renderLogCollection', () => {
  it('one file into a store: its variable, the tags, an emptyDir at its directory', () => {
    expect(renderLogCollection(target, settings(['/var/log/shop/*.log'], 'shop-logs'))).toEqual({
      env: [
        { name: 'aliyun_logs_shop-logs', value: '/var/log/shop/*.log' },
        { name: 'aliyun_logs_shop-logs_tags', value: TAGS },
      ],
      volumes: [{ name: 'logs-0', emptyDir: { sizeLimit: '1Gi' } }],
      volumeMounts: [{ name: 'logs-0', mountPath: '/var/log/shop' }],
    });
  });

  it('several paths into one store: a key each, the others name the store as target (log-pilot) and logstore (Logtail)', () => {
    const r = renderLogCollection(target, settings(['/var/log/shop/a.log', 'stdout', '/var/log/shop/gc/*.log', '/srv/shop/b.log'], 'shop_logs'));
    expect(r.env).toEqual([
      { name: 'aliyun_logs_shop-logs', value: '/var/log/shop/a.log' },
      { name: 'aliyun_logs_shop-logs_tags', value: TAGS },
      { name: 'aliyun_logs_shop-logs_target', value: 'shop_logs' },
      { name: 'aliyun_logs_shop-logs_logstore', value: 'shop_logs' },
      { name: 'aliyun_logs_shop-logs-2', value: 'stdout' },
      { name: 'aliyun_logs_shop-logs-2_tags', value: TAGS },
      { name: 'aliyun_logs_shop-logs-2_target', value: 'shop_logs' },
      { name: 'aliyun_logs_shop-logs-2_logstore', value: 'shop_logs' },
      { name: 'aliyun_logs_shop-logs-3', value: '/var/log/shop/gc/*.log' },
      { name: 'aliyun_logs_shop-logs-3_tags', value: TAGS },
      { name: 'aliyun_logs_shop-logs-3_target', value: 'shop_logs' },
      { name: 'aliyun_logs_shop-logs-3_logstore', value: 'shop_logs' },
      { name: 'aliyun_logs_shop-logs-4', value: '/srv/shop/b.log' },
      { name: 'aliyun_logs_shop-logs-4_tags', value: TAGS },
      { name: 'aliyun_logs_shop-logs-4_target', value: 'shop_logs' },
      { name: 'aliyun_logs_shop-logs-4_logstore', value: 'shop_logs' },
    ]);
    // stdout needs no volume; gc/ is inside the shop volume.
    expect(r.volumeMounts).toEqual([
      { name: 'logs-0', mountPath: '/var/log/shop' },
      { name: 'logs-1', mountPath: '/srv/shop' },
    ]);
    expect(r.volumes.map((v) => v.name)).toEqual(['logs-0', 'logs-1']);
  });

  it('renders nothing without a store or without paths', () => {
    const none = { env: [], volumes: [], volumeMounts: [] };
    expect(renderLogCollection(target, settings(['/var/log/shop/a.log'], null))).toEqual(none);
    expect(renderLogCollection(target, settings([], 'shop-logs'))).toEqual(none);
  });

  it('a stored path that breaks the rules is left out (no variable, no volume); the others keep their keys', () => {
    const r = renderLogCollection(target, settings(['/app.log', '/var/log/*.log', '/var/log/shop/a.log', '/etc/app.log'], 'shop-logs'));
    expect(r.env.filter((e) => !/_(tags|target|logstore)$/.test(e.name))).toEqual([{ name: 'aliyun_logs_shop-logs-3', value: '/var/log/shop/a.log' }]);
    expect(r.volumeMounts).toEqual([{ name: 'logs-0', mountPath: '/var/log/shop' }]);
    // Nothing collectable: the pod is what it was before log collection was rendered.
    expect(renderLogCollection(target, settings(['/app.log', '/var/log/*/x.log'], 'shop-logs'))).toEqual({ env: [], volumes: [], volumeMounts: [] });
    const own = settings(['/var/log/shop/a.log'], 'shop-logs', { env: [{ name: 'aliyun_logs_mine', value: 'stdout', secret: false }] });
    expect(renderLogCollection(target, own)).toEqual({ env: [], volumes: [], volumeMounts: [] });
  });

  it('a directory already mounted gets no second volume', () => {
    const s = settings(['/acs/logs/app.log', '/tmp/x/y.log'], 'shop-logs', { directoryMounts: [{ containerPath: '/acs/logs', hostPath: '/var/log/cairn/shop' }] });
    expect(renderLogCollection(target, s).volumeMounts).toEqual([{ name: 'logs-0', mountPath: '/tmp/x' }]);
    expect(renderLogCollection(target, settings(['/app/logs/a.log'], 'shop-logs'), ['/app/logs']).volumes).toEqual([]);
  });
});

describe('the pod template', () => {
  it('carries the variables after the user ones, the volumes after the file and directory mounts, and the annotations', () => {
    const s = settings(['/var/log/shop/*.log', 'stdout'], 'shop-logs', {
      env: [{ name: 'GREETING', value: 'hi', secret: false }],
      fileMounts: [{ path: '/etc/app/a.conf', content: 'x' }],
      directoryMounts: [{ containerPath: '/data', hostPath: '/var/log/cairn/shop' }],
    });
    const pod = renderPodTemplate(target, 2, 'nginx:1', s);
    const c = pod.spec!.containers[0]!;
    expect(c.env!.map((e) => e.name)).toEqual(['GREETING', 'aliyun_logs_shop-logs', 'aliyun_logs_shop-logs_tags', 'aliyun_logs_shop-logs-2', 'aliyun_logs_shop-logs-2_tags', 'aliyun_logs_shop-logs-2_target', 'aliyun_logs_shop-logs-2_logstore']);
    expect(pod.spec!.volumes!.map((v) => v.name)).toEqual(['files', 'dir-0', 'logs-0']);
    expect(c.volumeMounts!.map((m) => [m.name, m.mountPath])).toEqual([
      ['files', '/etc/app/a.conf'],
      ['dir-0', '/data'],
      ['logs-0', '/var/log/shop'],
    ]);
    expect(pod.metadata!.annotations).toEqual({ 'cairn.dev/log-paths': '/var/log/shop/*.log,stdout', 'cairn.dev/log-store': 'shop-logs' });
  });

  it('stays the same for a configuration without log collection', () => {
    const d = renderDeployment(target, { number: 1, image: 'nginx:1', settings: settings([], null) }, 1);
    expect(d.spec!.template.spec!.volumes).toEqual([]);
    expect(d.spec!.template.spec!.containers[0]!.env).toEqual([]);
  });
});

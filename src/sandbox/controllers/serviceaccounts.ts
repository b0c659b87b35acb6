/**
 * The service account controllers of kube-controller-manager (v1.20): the ServiceAccounts
 * controller creates the `default` account in every active namespace, and the token controller
 * gives each account a `kubernetes.io/service-account-token` Secret named in its `secrets`.
 * The token is an opaque random string (nothing in the sandbox verifies it).
 */
import { randomBytes } from 'node:crypto';
import { resourceKey, type KubeObject, type StoreEvent } from '../store/types.js';
import type { Controller, ControllerContext } from './context.js';

const NAMESPACES = resourceKey('', 'namespaces');
const SERVICEACCOUNTS = resourceKey('', 'serviceaccounts');
const SECRETS = resourceKey('', 'secrets');
export const SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const suffix = () => Array.from(randomBytes(5), (b) => 'bcdfghjklmnpqrstvwxz2456789'[b % 27]).join('');

export function createServiceAccountController(ctx: ControllerContext): Controller {
  const { store } = ctx;

  function keysFor(event: StoreEvent): string[] {
    if (event.key === NAMESPACES) return event.type === 'DELETED' ? [] : [event.object.metadata.name!];
    if (event.key === SERVICEACCOUNTS || (event.key === SECRETS && event.type === 'DELETED')) return [event.object.metadata.namespace!];
    return [];
  }

  function sync(namespace: string): number | undefined {
    const ns = store.get(NAMESPACES, undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return undefined;
    try {
      if (!store.get(SERVICEACCOUNTS, namespace, 'default')) {
        store.create(SERVICEACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
      }
      for (const sa of store.list(SERVICEACCOUNTS, { namespace, readOnly: true }).items) ensureToken(sa);
    } catch (err) {
      const reason = (err as { reason?: string }).reason;
      if (reason === 'AlreadyExists' || reason === 'Conflict' || reason === 'NotFound' || reason === 'Forbidden') return 1_000;
      throw err;
    }
    return undefined;
  }

  /** The token controller: a token Secret for an account that names none that exists. */
  function ensureToken(sa: KubeObject) {
    if (sa.metadata.deletionTimestamp) return;
    const namespace = sa.metadata.namespace!;
    const named = ((sa as { secrets?: { name?: string }[] }).secrets ?? []).map((s) => s.name);
    const has = named.some((name) => {
      const s = name && store.get(SECRETS, namespace, name);
      return s && (s as { type?: string }).type === SERVICE_ACCOUNT_TOKEN;
    });
    if (has) return;
    const secret = store.create(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: SERVICE_ACCOUNT_TOKEN,
      metadata: {
        name: `${sa.metadata.name}-token-${suffix()}`,
        namespace,
        annotations: { 'kubernetes.io/service-account.name': sa.metadata.name!, 'kubernetes.io/service-account.uid': sa.metadata.uid! },
      },
      data: { token: b64(randomBytes(32).toString('base64url')), namespace: b64(namespace), 'ca.crt': b64('') },
    });
    store.modify(SERVICEACCOUNTS, namespace, sa.metadata.name!, (cur) => {
      if (cur.metadata.uid !== sa.metadata.uid) return undefined;
      const c = cur as KubeObject & { secrets?: { name: string }[] };
      c.secrets = [...(c.secrets ?? []), { name: secret.metadata.name! }];
      return cur;
    });
  }

  return {
    name: 'serviceaccount-controller',
    keysFor,
    sync,
    allKeys: () => store.list(NAMESPACES).items.map((n) => n.metadata.name!),
  };
}

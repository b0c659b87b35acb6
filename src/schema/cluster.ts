import type { ClusterInfo } from '../kube/types.js';
import { AUTHENTICATED, freshChecksPerEvent } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';

/** The GraphQL type of a cluster. Other types (an environment's cluster …) return it by this ref. */
export const ClusterRef = builder.objectRef<ClusterInfo>('Cluster');

builder.node(ClusterRef, {
  description:
    'A Kubernetes cluster cairn deploys to: one context of the kubeconfig, or a sandbox cluster that cairn runs itself. Credentials are never shown.',
  authScopes: AUTHENTICATED,
  id: {
    resolve: (cluster) => cluster.name,
    description: 'The global ID of the cluster.',
  },
  loadOne: (name, context) => context.clusters.get(name) ?? null,
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'The kubeconfig context name; use it wherever an input asks for a cluster.',
    }),
    server: t.exposeString('server', {
      description: "The URL of the cluster's Kubernetes API server.",
    }),
    reachable: t.exposeBoolean('reachable', {
      nullable: true,
      description: 'Whether the last check reached the API server; null before the first check.',
    }),
    lastCheckedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the API server was last checked; null before the first check.',
      resolve: (cluster) => cluster.lastCheckedAt,
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last check failed (for example "connection refused"); null when the cluster is reachable.',
    }),
    sandbox: t.exposeBoolean('sandbox', {
      description: 'True for a simulated sandbox cluster that cairn runs in-process (when no kubeconfig is given).',
    }),
  }),
});

builder.queryField('clusters', (t) =>
  t.field({
    type: [ClusterRef],
    description: 'Every cluster cairn can deploy to, sorted by name, with its reachability. ' + ACCESS.anyToken,
    authScopes: AUTHENTICATED,
    resolve: (_root, _args, context) => context.clusters.list(),
  }),
);

builder.queryField('cluster', (t) =>
  t.field({
    type: ClusterRef,
    nullable: true,
    description: 'One cluster by its name; null when no cluster has that name. ' + ACCESS.anyToken,
    authScopes: AUTHENTICATED,
    args: {
      name: t.arg.string({ required: true, description: 'The kubeconfig context name of the cluster.' }),
    },
    resolve: (_root, args, context) => context.clusters.get(args.name) ?? null,
  }),
);

builder.subscriptionField('clusterUpdates', (t) =>
  t.field({
    type: ClusterRef,
    description: "Follows the clusters' reachability: first one event per cluster with its current state, then one event each time a cluster becomes reachable or unreachable (or the reason it is unreachable changes). " + ACCESS.anyToken,
    authScopes: AUTHENTICATED,
    subscribe: (_root, _args, context) => context.clusters.watch(),
    resolve: (cluster, _args, context) => freshChecksPerEvent(cluster, context),
  }),
);

/** The e2e clusters: cairn's production and test environments of an app are on different clusters. */
export const CLUSTERS = ['e2e-production', 'e2e-test'] as const;

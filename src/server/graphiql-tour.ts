/**
 * cairn's tour: the document GraphiQL opens with. One operation per step of a release; GraphiQL runs
 * the operation the cursor is in. test/server/graphiql.test.ts validates it against the schema.
 */
export const GRAPHIQL_TOUR = `# Welcome to cairn: it releases container apps
# onto Kubernetes in batches and streams their
# live status. Run an operation with the run
# button (or Ctrl-Enter, the cursor in it).
# The Docs panel (top left) is the manual.
# IDs go in the Variables tab below.

# 1. Who you are, the clusters, your apps.
query Start {
  viewer { name admin roles { app { name } role } }
  clusters { name reachable sandbox }
  apps(first: 10) {
    totalCount
    edges {
      node {
        id
        name
        environments {
          id
          kind
          clusterName
          deployedRevision { number imageTag }
          activeReleaseOrder { id state }
        }
      }
    }
  }
}

# 2. Create an app (admin tokens): PRODUCTION
# and TEST environments on two clusters.
mutation CreateApp {
  createApp(input: {
    name: "shop-web"
    businessType: "ERP"
    officialImage: NGINX
    productionCluster: "sandbox-production"
    testCluster: "sandbox-test"
  }) {
    __typename
    ... on CreateAppPayload { app { id name environments { id kind clusterName } } }
    ... on Error { code message }
  }
}

# 3. What releasing an environment would do.
# Variables: { "environment": "<its id>" }
query PreviewRelease($environment: ID!) {
  previewRelease(environment: $environment, batchCount: 2) {
    __typename
    ... on ReleasePreview { batchSizes imageReference changes { path before after } warnings { code message } }
    ... on Error { code message }
  }
}

# 4. Release it: 2 batches, pause after one.
mutation Release($environment: ID!) {
  createReleaseOrder(input: { environment: $environment, batchCount: 2, pauseMode: FIRST_BATCH }) {
    __typename
    ... on ReleaseOrderPayload { releaseOrder { id state batchSizes } }
    ... on Error { code message }
  }
}

# 5. Follow it live, event by event.
# Variables: { "order": "<its id>" }
subscription Follow($order: ID!) {
  releaseOrderFeed(id: $order) {
    kind
    cursor
    ... on ReleaseOrderSnapshot { releaseOrder { state batchesDone } instances { name status } }
    ... on ReleaseOrderProgress { releaseOrder { state batchesDone batches { number state } } }
    ... on InstanceChanged { change instance { name status } }
    ... on SystemEventReceived { event { reason message } }
  }
}

# 6. Go on after the pause.
mutation Resume($order: ID!) {
  resumeReleaseOrder(input: { id: $order }) {
    __typename
    ... on ReleaseOrderPayload { releaseOrder { id state } }
    ... on Error { code message }
  }
}
`;

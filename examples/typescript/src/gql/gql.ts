/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CreateReleaseOrder($environment: ID!, $batchCount: Int!, $pauseMode: PauseMode!, $description: String) {\n  createReleaseOrder(\n    input: {environment: $environment, batchCount: $batchCount, pauseMode: $pauseMode, description: $description}\n  ) {\n    __typename\n    ... on ReleaseOrderPayload {\n      releaseOrder {\n        id\n        state\n        batchSizes\n        revision {\n          number\n          imageReference\n        }\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": typeof types.CreateReleaseOrderDocument,
    "query FindEnvironment($name: String!, $kind: EnvironmentKind!) {\n  apps(first: 5, namePrefix: $name) {\n    edges {\n      node {\n        name\n        environment(kind: $kind) {\n          id\n          clusterName\n          config {\n            imageTag\n            instances\n            version\n          }\n          deployedRevision {\n            number\n            imageTag\n          }\n          activeReleaseOrder {\n            id\n            state\n          }\n        }\n      }\n    }\n  }\n}": typeof types.FindEnvironmentDocument,
    "subscription FollowReleaseOrder($id: ID!, $after: String) {\n  releaseOrderFeed(id: $id, after: $after) {\n    __typename\n    cursor\n    ... on ReleaseOrderSnapshot {\n      releaseOrder {\n        state\n        batchesDone\n        batchCount\n      }\n      instances {\n        name\n        status\n      }\n    }\n    ... on ReleaseOrderProgress {\n      releaseOrder {\n        state\n        batchesDone\n        batchCount\n      }\n    }\n    ... on InstanceChanged {\n      change\n      instance {\n        name\n        status\n      }\n    }\n    ... on SystemEventReceived {\n      event {\n        type\n        reason\n        instanceName\n        message\n      }\n    }\n    ... on BufferExceeded {\n      message\n    }\n  }\n}": typeof types.FollowReleaseOrderDocument,
    "query PreviewRelease($environment: ID!, $batchCount: Int!) {\n  previewRelease(environment: $environment, batchCount: $batchCount) {\n    __typename\n    ... on ReleasePreview {\n      imageReference\n      batchSizes\n      changes {\n        path\n        before\n        after\n      }\n      warnings {\n        code\n        message\n      }\n      problems {\n        path\n        code\n        message\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": typeof types.PreviewReleaseDocument,
    "query ReleaseOrderState($id: ID!) {\n  releaseOrder(id: $id) {\n    id\n    state\n    batchesDone\n    batchCount\n    failures {\n      instanceName\n      reason\n      message\n      resolvedAt\n    }\n  }\n}": typeof types.ReleaseOrderStateDocument,
    "mutation ResumeReleaseOrder($id: ID!) {\n  resumeReleaseOrder(input: {id: $id}) {\n    __typename\n    ... on ReleaseOrderPayload {\n      releaseOrder {\n        state\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": typeof types.ResumeReleaseOrderDocument,
    "mutation SetImageTag($environment: ID!, $imageTag: String!) {\n  setImageTag(input: {environment: $environment, imageTag: $imageTag}) {\n    __typename\n    ... on SetImageTagPayload {\n      config {\n        imageTag\n        version\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": typeof types.SetImageTagDocument,
};
const documents: Documents = {
    "mutation CreateReleaseOrder($environment: ID!, $batchCount: Int!, $pauseMode: PauseMode!, $description: String) {\n  createReleaseOrder(\n    input: {environment: $environment, batchCount: $batchCount, pauseMode: $pauseMode, description: $description}\n  ) {\n    __typename\n    ... on ReleaseOrderPayload {\n      releaseOrder {\n        id\n        state\n        batchSizes\n        revision {\n          number\n          imageReference\n        }\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": types.CreateReleaseOrderDocument,
    "query FindEnvironment($name: String!, $kind: EnvironmentKind!) {\n  apps(first: 5, namePrefix: $name) {\n    edges {\n      node {\n        name\n        environment(kind: $kind) {\n          id\n          clusterName\n          config {\n            imageTag\n            instances\n            version\n          }\n          deployedRevision {\n            number\n            imageTag\n          }\n          activeReleaseOrder {\n            id\n            state\n          }\n        }\n      }\n    }\n  }\n}": types.FindEnvironmentDocument,
    "subscription FollowReleaseOrder($id: ID!, $after: String) {\n  releaseOrderFeed(id: $id, after: $after) {\n    __typename\n    cursor\n    ... on ReleaseOrderSnapshot {\n      releaseOrder {\n        state\n        batchesDone\n        batchCount\n      }\n      instances {\n        name\n        status\n      }\n    }\n    ... on ReleaseOrderProgress {\n      releaseOrder {\n        state\n        batchesDone\n        batchCount\n      }\n    }\n    ... on InstanceChanged {\n      change\n      instance {\n        name\n        status\n      }\n    }\n    ... on SystemEventReceived {\n      event {\n        type\n        reason\n        instanceName\n        message\n      }\n    }\n    ... on BufferExceeded {\n      message\n    }\n  }\n}": types.FollowReleaseOrderDocument,
    "query PreviewRelease($environment: ID!, $batchCount: Int!) {\n  previewRelease(environment: $environment, batchCount: $batchCount) {\n    __typename\n    ... on ReleasePreview {\n      imageReference\n      batchSizes\n      changes {\n        path\n        before\n        after\n      }\n      warnings {\n        code\n        message\n      }\n      problems {\n        path\n        code\n        message\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": types.PreviewReleaseDocument,
    "query ReleaseOrderState($id: ID!) {\n  releaseOrder(id: $id) {\n    id\n    state\n    batchesDone\n    batchCount\n    failures {\n      instanceName\n      reason\n      message\n      resolvedAt\n    }\n  }\n}": types.ReleaseOrderStateDocument,
    "mutation ResumeReleaseOrder($id: ID!) {\n  resumeReleaseOrder(input: {id: $id}) {\n    __typename\n    ... on ReleaseOrderPayload {\n      releaseOrder {\n        state\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": types.ResumeReleaseOrderDocument,
    "mutation SetImageTag($environment: ID!, $imageTag: String!) {\n  setImageTag(input: {environment: $environment, imageTag: $imageTag}) {\n    __typename\n    ... on SetImageTagPayload {\n      config {\n        imageTag\n        version\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": types.SetImageTagDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateReleaseOrder($environment: ID!, $batchCount: Int!, $pauseMode: PauseMode!, $description: String) {\n  createReleaseOrder(\n    input: {environment: $environment, batchCount: $batchCount, pauseMode: $pauseMode, description: $description}\n  ) {\n    __typename\n    ... on ReleaseOrderPayload {\n      releaseOrder {\n        id\n        state\n        batchSizes\n        revision {\n          number\n          imageReference\n        }\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}"): typeof import('./graphql.js').CreateReleaseOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FindEnvironment($name: String!, $kind: EnvironmentKind!) {\n  apps(first: 5, namePrefix: $name) {\n    edges {\n      node {\n        name\n        environment(kind: $kind) {\n          id\n          clusterName\n          config {\n            imageTag\n            instances\n            version\n          }\n          deployedRevision {\n            number\n            imageTag\n          }\n          activeReleaseOrder {\n            id\n            state\n          }\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.js').FindEnvironmentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription FollowReleaseOrder($id: ID!, $after: String) {\n  releaseOrderFeed(id: $id, after: $after) {\n    __typename\n    cursor\n    ... on ReleaseOrderSnapshot {\n      releaseOrder {\n        state\n        batchesDone\n        batchCount\n      }\n      instances {\n        name\n        status\n      }\n    }\n    ... on ReleaseOrderProgress {\n      releaseOrder {\n        state\n        batchesDone\n        batchCount\n      }\n    }\n    ... on InstanceChanged {\n      change\n      instance {\n        name\n        status\n      }\n    }\n    ... on SystemEventReceived {\n      event {\n        type\n        reason\n        instanceName\n        message\n      }\n    }\n    ... on BufferExceeded {\n      message\n    }\n  }\n}"): typeof import('./graphql.js').FollowReleaseOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PreviewRelease($environment: ID!, $batchCount: Int!) {\n  previewRelease(environment: $environment, batchCount: $batchCount) {\n    __typename\n    ... on ReleasePreview {\n      imageReference\n      batchSizes\n      changes {\n        path\n        before\n        after\n      }\n      warnings {\n        code\n        message\n      }\n      problems {\n        path\n        code\n        message\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}"): typeof import('./graphql.js').PreviewReleaseDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ReleaseOrderState($id: ID!) {\n  releaseOrder(id: $id) {\n    id\n    state\n    batchesDone\n    batchCount\n    failures {\n      instanceName\n      reason\n      message\n      resolvedAt\n    }\n  }\n}"): typeof import('./graphql.js').ReleaseOrderStateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ResumeReleaseOrder($id: ID!) {\n  resumeReleaseOrder(input: {id: $id}) {\n    __typename\n    ... on ReleaseOrderPayload {\n      releaseOrder {\n        state\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}"): typeof import('./graphql.js').ResumeReleaseOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetImageTag($environment: ID!, $imageTag: String!) {\n  setImageTag(input: {environment: $environment, imageTag: $imageTag}) {\n    __typename\n    ... on SetImageTagPayload {\n      config {\n        imageTag\n        version\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}"): typeof import('./graphql.js').SetImageTagDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

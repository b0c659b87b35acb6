import { dataOf, type TestApi } from './api.js';

/** Every settings field, in the shape DeploymentConfigInput accepts. */
export const SETTINGS_FIELDS = `
  officialImage image instances cpuMillicores memoryMb deployRootDir
  logCollection { paths logStore }
  ports { containerPort protocol name }
  env { name value secret hasValue }
  fileMounts { path content }
  directoryMounts { containerPath hostPath }
  livenessProbe { ...ProbeFields }
  readinessProbe { ...ProbeFields }
  postStart { http { path port scheme } exec { command } }
  preStop { http { path port scheme } exec { command } }
  terminationGracePeriodSeconds
`;

export const CONFIG_FRAGMENTS = `
  fragment ProbeFields on Probe {
    http { path port scheme } exec { command }
    initialDelaySeconds periodSeconds timeoutSeconds successThreshold failureThreshold
  }
  fragment ConfigFields on DeploymentConfig { id version imageTag ${SETTINGS_FIELDS} }
`;

export const ERROR_FRAGMENT = `
  fragment ErrorFields on Error {
    __typename message code
    ... on InvalidInputError { problems { path code message } }
    ... on NotFoundError { path typename }
    ... on AlreadyExistsError { path name }
    ... on ConflictError { expectedVersion currentVersion }
    ... on NotAllowedError { reason }
  }
`;

export const FRAGMENTS = CONFIG_FRAGMENTS + ERROR_FRAGMENT;

export const CREATE_APP = `
  mutation ($input: CreateAppInput!) {
    createApp(input: $input) {
      __typename
      ... on CreateAppPayload { app { id name businessType description appType deployMethod
        environments { id kind clusterName cluster { name } namespace desiredInstances deployedRevision { number } config { ...ConfigFields } } } }
      ...ErrorFields
    }
  }
  ${FRAGMENTS}
`;

export const UPDATE_CONFIG = `
  mutation ($input: UpdateDeploymentConfigInput!) {
    updateDeploymentConfig(input: $input) {
      __typename
      ... on UpdateDeploymentConfigPayload { config { ...ConfigFields } warnings { path code message } }
      ...ErrorFields
    }
  }
  ${FRAGMENTS}
`;

export const SET_IMAGE_TAG = `
  mutation ($input: SetImageTagInput!) {
    setImageTag(input: $input) {
      __typename
      ... on SetImageTagPayload { config { ...ConfigFields } }
      ...ErrorFields
    }
  }
  ${FRAGMENTS}
`;

export const SET_INSTANCE_COUNT = `
  mutation ($input: SetInstanceCountInput!) {
    setInstanceCount(input: $input) {
      __typename
      ... on SetInstanceCountPayload { config { ...ConfigFields } warnings { path code } }
      ...ErrorFields
    }
  }
  ${FRAGMENTS}
`;

export const ENVIRONMENT_CONFIG = `
  query ($id: ID!) { node(id: $id) { ... on Environment { id kind config { ...ConfigFields } } } }
  ${CONFIG_FRAGMENTS}
`;

export interface CreatedApp {
  id: string;
  name: string;
  production: { id: string; config: Record<string, any> };
  test: { id: string; config: Record<string, any> };
}

/** Creates an app on the two fake clusters and returns its IDs. */
export async function createApp(api: TestApi, name: string, extra: Record<string, unknown> = {}): Promise<CreatedApp> {
  const res = dataOf(
    await api.gql(CREATE_APP, { input: { name, businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', ...extra } }),
  ).createApp;
  if (res.__typename !== 'CreateAppPayload') throw new Error(`createApp failed: ${JSON.stringify(res)}`);
  const envs = res.app.environments as { id: string; kind: string; config: Record<string, any> }[];
  const production = envs.find((e) => e.kind === 'PRODUCTION')!;
  const test = envs.find((e) => e.kind === 'TEST')!;
  return { id: res.app.id, name, production, test };
}

/** Turns a DeploymentConfig query result into a DeploymentConfigInput (drops output-only fields). */
export function toInput(config: Record<string, any>): Record<string, unknown> {
  const { id: _id, version: _version, ...rest } = config;
  const strip = (v: any): any => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'hasValue' || k === '__typename') continue;
        out[k] = strip(x);
      }
      return out;
    }
    return v;
  };
  return strip(rest);
}

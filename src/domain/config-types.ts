/**
 * The deployment configuration as cairn stores it (the draft of an environment, or a template).
 * The image tag is not part of it: it lives beside it, because it changes on its own.
 */

export const OFFICIAL_IMAGE_KINDS = ['TOMCAT', 'SPRINGBOOT2', 'NODEJS', 'NGINX'] as const;
export type OfficialImageKind = (typeof OFFICIAL_IMAGE_KINDS)[number];

export const PROTOCOLS = ['TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const HTTP_SCHEMES = ['HTTP', 'HTTPS'] as const;
export type HttpScheme = (typeof HTTP_SCHEMES)[number];

export interface PortMapping {
  containerPort: number;
  protocol: Protocol;
  name: string | null;
}

export interface EnvVar {
  name: string;
  /** Stored as given; never returned by the API when `secret` is true. */
  value: string;
  secret: boolean;
}

export interface FileMount {
  path: string;
  content: string;
}

export interface DirectoryMount {
  containerPath: string;
  hostPath: string;
}

export interface HttpAction {
  path: string;
  port: number;
  scheme: HttpScheme;
}

export interface ExecAction {
  command: string[];
}

/** Exactly one of `http` and `exec` is set. */
export interface Action {
  http: HttpAction | null;
  exec: ExecAction | null;
}

export interface Probe extends Action {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface LogCollection {
  paths: string[];
  logStore: string | null;
}

export interface ConfigSettings {
  officialImage: OfficialImageKind | null;
  image: string | null;
  instances: number;
  cpuMillicores: number;
  memoryMb: number;
  deployRootDir: string | null;
  logCollection: LogCollection;
  ports: PortMapping[];
  env: EnvVar[];
  fileMounts: FileMount[];
  directoryMounts: DirectoryMount[];
  livenessProbe: Probe | null;
  readinessProbe: Probe | null;
  postStart: Action | null;
  preStop: Action | null;
  terminationGracePeriodSeconds: number;
}

/** Bounds of the numeric settings (Kubernetes' own minimums; upper bounds keep typos out). */
export const LIMITS = {
  cpuMillicores: { min: 10, max: 64_000 },
  memoryMb: { min: 16, max: 262_144 },
  port: { min: 1, max: 65_535 },
  terminationGracePeriodSeconds: { min: 0, max: 3_600 },
  initialDelaySeconds: { min: 0, max: 3_600 },
  periodSeconds: { min: 1, max: 3_600 },
  timeoutSeconds: { min: 1, max: 3_600 },
  threshold: { min: 1, max: 100 },
  fileMountBytes: 1024 * 1024,
  envValueBytes: 128 * 1024,
  /** All file mounts together: they are one ConfigMap (Kubernetes' MaxSecretSize). */
  fileMountsTotalBytes: 1024 * 1024,
  /** All secret variables together: they are one Secret (MaxSecretSize). */
  secretEnvTotalBytes: 1024 * 1024,
  /** All other variables together: copied into every pod, and etcd keeps an object under 1.5 MiB. */
  plainEnvTotalBytes: 512 * 1024,
} as const;

/** The draft every new environment starts from when no official image is chosen. */
export function emptySettings(): ConfigSettings {
  return {
    officialImage: null,
    image: null,
    instances: 2,
    cpuMillicores: 500,
    memoryMb: 512,
    deployRootDir: null,
    logCollection: { paths: [], logStore: null },
    ports: [],
    env: [],
    fileMounts: [],
    directoryMounts: [],
    livenessProbe: null,
    readinessProbe: null,
    postStart: null,
    preStop: null,
    terminationGracePeriodSeconds: 30,
  };
}

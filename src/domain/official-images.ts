import type { ConfigSettings, OfficialImageKind, Probe } from './config-types.js';

/** An official image: a preset that fills every setting the user leaves out. */
export interface OfficialImage {
  kind: OfficialImageKind;
  displayName: string;
  description: string;
  image: string;
  defaultTag: string;
  port: number;
  /** Every official image deploys its code package here. */
  deployRootDir: string;
  probe: { path: string; port: number };
  cpuMillicores: number;
  memoryMb: number;
  /** Extra ports besides `port` (Spring Boot's management port). */
  extraPorts: { containerPort: number; name: string }[];
}

export const DEPLOY_ROOT_DIR = '/acs/code';

export const OFFICIAL_IMAGES: Record<OfficialImageKind, OfficialImage> = {
  TOMCAT: {
    kind: 'TOMCAT',
    displayName: 'Tomcat',
    description: 'Apache Tomcat serving a WAR from /acs/code on port 8080.',
    image: 'tomcat',
    defaultTag: 'latest',
    port: 8080,
    deployRootDir: DEPLOY_ROOT_DIR,
    probe: { path: '/', port: 8080 },
    cpuMillicores: 1000,
    memoryMb: 1024,
    extraPorts: [],
  },
  SPRINGBOOT2: {
    kind: 'SPRINGBOOT2',
    displayName: 'Spring Boot 2',
    description: 'A Spring Boot 2 jar from /acs/code; traffic on 8080, actuator health on 8081.',
    image: 'springboot2',
    defaultTag: 'latest',
    port: 8080,
    deployRootDir: DEPLOY_ROOT_DIR,
    probe: { path: '/actuator/health', port: 8081 },
    cpuMillicores: 1000,
    memoryMb: 2048,
    extraPorts: [{ containerPort: 8081, name: 'management' }],
  },
  NODEJS: {
    kind: 'NODEJS',
    displayName: 'Node.js',
    description: 'A Node.js app from /acs/code listening on port 3000, health at /health.',
    image: 'nodejs',
    defaultTag: 'latest',
    port: 3000,
    deployRootDir: DEPLOY_ROOT_DIR,
    probe: { path: '/health', port: 3000 },
    cpuMillicores: 500,
    memoryMb: 512,
    extraPorts: [],
  },
  NGINX: {
    kind: 'NGINX',
    displayName: 'NGINX',
    description: 'NGINX serving static files from /acs/code on port 80.',
    image: 'nginx',
    defaultTag: 'latest',
    port: 80,
    deployRootDir: DEPLOY_ROOT_DIR,
    probe: { path: '/', port: 80 },
    cpuMillicores: 250,
    memoryMb: 256,
    extraPorts: [],
  },
};

function probeOf(preset: OfficialImage, initialDelaySeconds: number): Probe {
  return {
    http: { path: preset.probe.path, port: preset.probe.port, scheme: 'HTTP' },
    exec: null,
    initialDelaySeconds,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

/** The full settings an official image stands for; a user's input overrides any of them. */
export function presetSettings(kind: OfficialImageKind): ConfigSettings {
  const preset = OFFICIAL_IMAGES[kind];
  return {
    officialImage: kind,
    image: preset.image,
    instances: 2,
    cpuMillicores: preset.cpuMillicores,
    memoryMb: preset.memoryMb,
    deployRootDir: preset.deployRootDir,
    logCollection: { paths: [], logStore: null },
    ports: [
      { containerPort: preset.port, protocol: 'TCP', name: 'http' },
      ...preset.extraPorts.map((p) => ({ containerPort: p.containerPort, protocol: 'TCP' as const, name: p.name })),
    ],
    env: [],
    fileMounts: [],
    directoryMounts: [],
    livenessProbe: probeOf(preset, 30),
    readinessProbe: probeOf(preset, 5),
    postStart: null,
    preStop: null,
    terminationGracePeriodSeconds: 30,
  };
}

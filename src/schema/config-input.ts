import { builder } from './builder.js';
import { HttpSchemeEnum, OfficialImageKindEnum, ProtocolEnum } from './enums.js';

/** The input shape of a deployment configuration: the same fields as DeploymentSettings, plus imageTag. */

export const HttpActionInput = builder.inputType('HttpActionInput', {
  description: 'An HTTP GET against the container; a status from 200 to 399 is a success.',
  fields: (t) => ({
    path: t.string({ required: true, description: "The request path, starting with '/'." }),
    port: t.int({ required: true, description: 'The container port to call (1–65535); it should be one of the port mappings.' }),
    scheme: t.field({ type: HttpSchemeEnum, description: 'HTTP (default) or HTTPS.' }),
  }),
});

export const ExecActionInput = builder.inputType('ExecActionInput', {
  description: 'A command run inside the container; exit status 0 is a success.',
  fields: (t) => ({
    command: t.stringList({ required: true, description: 'The program and its arguments, e.g. ["sh", "-c", "curl -f localhost:8080/"]; no NUL characters.' }),
  }),
});

export const LifecycleHandlerInput = builder.inputType('LifecycleHandlerInput', {
  description: 'A PostStart or PreStop hook: set exactly one of http and exec.',
  fields: (t) => ({
    http: t.field({ type: HttpActionInput, description: 'Call this URL.' }),
    exec: t.field({ type: ExecActionInput, description: 'Run this command.' }),
  }),
});

export const ProbeInput = builder.inputType('ProbeInput', {
  description: "A health check: set exactly one of http and exec. Omitted timings take Kubernetes' defaults.",
  fields: (t) => ({
    http: t.field({ type: HttpActionInput, description: 'Check with an HTTP GET.' }),
    exec: t.field({ type: ExecActionInput, description: 'Check by running a command.' }),
    initialDelaySeconds: t.int({ description: 'Seconds before the first check (0–3600, default 0).' }),
    periodSeconds: t.int({ description: 'Seconds between checks (1–3600, default 10).' }),
    timeoutSeconds: t.int({ description: 'Seconds before a check counts as failed (1–3600, default 1).' }),
    successThreshold: t.int({ description: 'Consecutive successes to count as healthy (1–100, default 1; must be 1 for liveness).' }),
    failureThreshold: t.int({ description: 'Consecutive failures to count as unhealthy (1–100, default 3).' }),
  }),
});

export const LogCollectionInput = builder.inputType('LogCollectionInput', {
  description: 'Which log files are collected, and into which log store.',
  fields: (t) => ({
    paths: t.stringList({
      description:
        "Absolute paths of the log files to collect — the file name may be a pattern (/var/log/app/*.log), the directory may not — or `stdout` for the container's output; each once, at most 50; default none. Each file's directory is put on a volume the node's collector reads, so it cannot be /, a system directory (/etc, /usr, /var …) or the deploy root itself.",
    }),
    logStore: t.string({ description: "The log store to ship them to (the collector's index or logstore); null collects nothing." }),
  }),
});

export const PortMappingInput = builder.inputType('PortMappingInput', {
  description: 'A container port to expose. Ports must be unique (per protocol), names unique.',
  fields: (t) => ({
    containerPort: t.int({ required: true, description: 'The port the container listens on (1–65535).' }),
    protocol: t.field({ type: ProtocolEnum, description: 'TCP (default) or UDP.' }),
    name: t.string({
      description:
        "An optional name, unique among the ports: an IANA service name (at most 15 lower-case letters, digits and '-', at least one letter, no '--', not starting or ending with '-'). Names of the form <protocol>-<port> (tcp-8080) are what the Service calls unnamed ports: only that port itself may have one.",
    }),
  }),
});

export const EnvVarInput = builder.inputType('EnvVarInput', {
  description: 'An environment variable. Names are C identifiers and unique.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The variable name, e.g. JAVA_OPTS.' }),
    value: t.string({
      description: 'The value (may be empty; no NUL characters). For a secret that already has a value, omit it (or send null) to keep the stored value.',
    }),
    secret: t.boolean({ description: 'True to keep the value secret: it is deployed but never returned by the API. Default false.' }),
  }),
});

export const FileMountInput = builder.inputType('FileMountInput', {
  description: 'A text that appears as a file in the container.',
  fields: (t) => ({
    path: t.string({ required: true, description: 'The absolute path of the file; unique, not inside another mount, not under /proc, /sys or /dev, and not at or above the deploy root directory.' }),
    content: t.string({ required: true, description: 'The file content: UTF-8 text of at most 1 MiB.' }),
  }),
});

export const DirectoryMountInput = builder.inputType('DirectoryMountInput', {
  description: 'A container directory stored on the host.',
  fields: (t) => ({
    containerPath: t.string({ required: true, description: "The absolute directory path in the container (no '..'); unique, not inside another mount, not /, not under /proc, /sys or /dev, and not at or above the deploy root directory." }),
    hostPath: t.string({ required: true, description: "The absolute directory path on the host (no '..'). Unless you are an admin, it must be the app's own directory under one of the server's allowed prefixes (CAIRN_HOSTPATH_PREFIXES; by default exactly /var/log/cairn/<app> or /var/lib/cairn/<app>, not a directory below: use the container path to organise within it), or a mount the draft already holds." }),
  }),
});

export const DeploymentConfigInput = builder.inputType('DeploymentConfigInput', {
  description:
    'A whole deployment configuration; it replaces the draft. Every field you omit takes its default — from the official image when `officialImage` is set (see the officialImages query), otherwise the generic default. Send null for a probe, hook, deployRootDir or logStore to have none.',
  fields: (t) => ({
    officialImage: t.field({
      type: OfficialImageKindEnum,
      description:
        'Start from an official image: its image, port mappings, deploy root, probes and resources fill every field you omit (pick SPRINGBOOT2 and give only imageTag, for example).',
    }),
    image: t.string({
      description: 'The image reference without tag, e.g. `registry.example.com/team/app`. Required unless officialImage is set (then defaults to the official image).',
    }),
    imageTag: t.string({ description: 'The image tag. Omit to keep the current tag (or the official image\'s default tag when there is none).' }),
    instances: t.int({ description: 'Instances to run: at least 1 (a warning below 2), at most the configured maximum. Default 2.' }),
    cpuMillicores: t.int({ description: 'CPU per instance in millicores (10–64000).' }),
    memoryMb: t.int({ description: 'Memory per instance in MB (16–262144); going over it gets the container OOM-killed.' }),
    deployRootDir: t.string({ description: 'Where a code package is deployed: an absolute path (official images: /acs/code); null for none.' }),
    logCollection: t.field({ type: LogCollectionInput, description: 'Log collection; default none.' }),
    ports: t.field({ type: [PortMappingInput], description: 'The exposed container ports.' }),
    env: t.field({ type: [EnvVarInput], description: 'Environment variables.' }),
    fileMounts: t.field({ type: [FileMountInput], description: 'Files to mount.' }),
    directoryMounts: t.field({ type: [DirectoryMountInput], description: 'Directories to store on the host.' }),
    livenessProbe: t.field({ type: ProbeInput, description: 'Restarts the container when it fails; null for none.' }),
    readinessProbe: t.field({ type: ProbeInput, description: 'Gates traffic and release batches; null for none.' }),
    postStart: t.field({ type: LifecycleHandlerInput, description: 'A hook run after the container is created; null for none.' }),
    preStop: t.field({ type: LifecycleHandlerInput, description: 'A hook run before the container stops; null for none.' }),
    terminationGracePeriodSeconds: t.int({ description: 'Seconds a stopping container gets before it is killed (0–3600, default 30).' }),
  }),
});

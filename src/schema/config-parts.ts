import type { Action, DirectoryMount, EnvVar, ExecAction, FileMount, HttpAction, LogCollection, PortMapping, Probe } from '../domain/config-types.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';
import { HttpSchemeEnum, ProtocolEnum } from './enums.js';

/** The parts of a deployment configuration, as the API returns them. */

export const LogCollectionRef = builder.objectRef<LogCollection>('LogCollection').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description:
    "Which log files of the container are collected, and into which log store: released as the node collector's container variables (log-pilot's `aliyun_logs_<key>=<path>`), with each file's directory on a volume the collector reads.",
  fields: (t) => ({
    paths: t.exposeStringList('paths', { description: "Absolute paths (the file name may be a pattern, e.g. /acs/code/logs/*.log) of the collected log files, or `stdout` for the container's output." }),
    logStore: t.exposeString('logStore', { nullable: true, description: 'The log store the files are shipped to; null collects nothing.' }),
  }),
});

export const PortMappingRef = builder.objectRef<PortMapping>('PortMapping').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A container port exposed by the environment\'s Service.',
  fields: (t) => ({
    containerPort: t.exposeInt('containerPort', { description: 'The port the container listens on (1–65535).' }),
    protocol: t.field({ type: ProtocolEnum, description: 'TCP or UDP.', resolve: (p) => p.protocol }),
    name: t.exposeString('name', { nullable: true, description: 'An optional name (DNS-1123 label, at most 15 characters), unique within the config.' }),
  }),
});

export const EnvVarRef = builder.objectRef<EnvVar>('EnvVar').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'An environment variable of the container. Secret values are never returned.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The variable name (a C identifier), unique within the config.' }),
    value: t.string({
      nullable: true,
      description: 'The value; always null for a secret variable (see hasValue). To keep a secret when updating, send it without a value.',
      resolve: (e) => (e.secret ? null : e.value),
    }),
    secret: t.exposeBoolean('secret', { description: 'True when the value is secret: stored, deployed, but never returned by the API nor logged.' }),
    hasValue: t.boolean({ description: 'True when the variable has a non-empty value (tells whether a secret is set).', resolve: (e) => e.value !== '' }),
  }),
});

export const FileMountRef = builder.objectRef<FileMount>('FileMount').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A text that appears as a file at a path in the container.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'The absolute path of the file in the container.' }),
    content: t.exposeString('content', { description: 'The file\'s content (UTF-8 text, at most 1 MiB).' }),
    sizeBytes: t.int({ description: 'The content\'s size in bytes (UTF-8).', resolve: (f) => Buffer.byteLength(f.content, 'utf8') }),
  }),
});

export const DirectoryMountRef = builder.objectRef<DirectoryMount>('DirectoryMount').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A container directory stored on the host, so that logs or temporary data do not fill the container\'s own disk.',
  fields: (t) => ({
    containerPath: t.exposeString('containerPath', { description: 'The absolute path of the directory in the container.' }),
    hostPath: t.exposeString('hostPath', { description: 'The absolute path of the directory on the host node.' }),
  }),
});

export const HttpActionRef = builder.objectRef<HttpAction>('HttpAction').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'An HTTP GET against the container; any status from 200 to 399 is a success.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'The request path, e.g. /actuator/health.' }),
    port: t.exposeInt('port', { description: 'The container port to call (1–65535).' }),
    scheme: t.field({ type: HttpSchemeEnum, description: 'HTTP or HTTPS.', resolve: (h) => h.scheme }),
  }),
});

export const ExecActionRef = builder.objectRef<ExecAction>('ExecAction').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A command run inside the container; exit status 0 is a success.',
  fields: (t) => ({
    command: t.exposeStringList('command', {
      description: 'The program and its arguments; not run through a shell unless you write one, e.g. ["sh", "-c", "curl -f localhost:8080/"].',
    }),
  }),
});

export const LifecycleHandlerRef = builder.objectRef<Action>('LifecycleHandler').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A PostStart or PreStop hook: exactly one of http and exec is set.',
  fields: (t) => ({
    http: t.field({ type: HttpActionRef, nullable: true, description: 'The HTTP call, when the hook is an HTTP call.', resolve: (a) => a.http }),
    exec: t.field({ type: ExecActionRef, nullable: true, description: 'The command, when the hook is a command.', resolve: (a) => a.exec }),
  }),
});

export const ProbeRef = builder.objectRef<Probe>('Probe').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A health check (Kubernetes probe): exactly one of http and exec is set, with its timing.',
  fields: (t) => ({
    http: t.field({ type: HttpActionRef, nullable: true, description: 'The HTTP check, when the probe is an HTTP check.', resolve: (p) => p.http }),
    exec: t.field({ type: ExecActionRef, nullable: true, description: 'The command, when the probe is a command.', resolve: (p) => p.exec }),
    initialDelaySeconds: t.exposeInt('initialDelaySeconds', { description: 'Seconds after the container starts before the first check.' }),
    periodSeconds: t.exposeInt('periodSeconds', { description: 'Seconds between checks (at least 1).' }),
    timeoutSeconds: t.exposeInt('timeoutSeconds', { description: 'Seconds after which a check counts as failed (at least 1).' }),
    successThreshold: t.exposeInt('successThreshold', { description: 'Consecutive successes after a failure to count as healthy (always 1 for liveness).' }),
    failureThreshold: t.exposeInt('failureThreshold', { description: 'Consecutive failures to count as unhealthy.' }),
  }),
});

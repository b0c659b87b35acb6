import { z } from 'zod';
import {
  HTTP_SCHEMES,
  LIMITS,
  OFFICIAL_IMAGE_KINDS,
  PROTOCOLS,
  type HttpScheme,
  type OfficialImageKind,
  type Protocol,
} from './config-types.js';
import { absolutePath, ENV_NAME, IMAGE_REFERENCE, IMAGE_TAG } from './names.js';
import { STDOUT } from './log-collection.js';
import { portNameProblem } from './port-names.js';
import { CONTROL_MESSAGE, hasControl, hasNul, NUL_MESSAGE } from './text-rules.js';

/**
 * The deployment configuration as a client sends it. Omitted (undefined) fields take their
 * default — from the official image when one is chosen; an explicit null on an optional part
 * (a probe, a hook, the deploy root, the log store) means "none".
 */
type Opt<T> = T | null | undefined;

export interface HttpActionInput {
  path: string;
  port: number;
  scheme?: Opt<HttpScheme>;
}
export interface ExecActionInput {
  command: string[];
}
export interface ActionInput {
  http?: Opt<HttpActionInput>;
  exec?: Opt<ExecActionInput>;
}
export interface ProbeInput extends ActionInput {
  initialDelaySeconds?: Opt<number>;
  periodSeconds?: Opt<number>;
  timeoutSeconds?: Opt<number>;
  successThreshold?: Opt<number>;
  failureThreshold?: Opt<number>;
}
export interface ConfigInput {
  officialImage?: Opt<OfficialImageKind>;
  image?: Opt<string>;
  imageTag?: Opt<string>;
  instances?: Opt<number>;
  cpuMillicores?: Opt<number>;
  memoryMb?: Opt<number>;
  deployRootDir?: Opt<string>;
  logCollection?: Opt<{ paths?: Opt<string[]>; logStore?: Opt<string> }>;
  ports?: Opt<{ containerPort: number; protocol?: Opt<Protocol>; name?: Opt<string> }[]>;
  env?: Opt<{ name: string; value?: Opt<string>; secret?: Opt<boolean> }[]>;
  fileMounts?: Opt<{ path: string; content: string }[]>;
  directoryMounts?: Opt<{ containerPath: string; hostPath: string }[]>;
  livenessProbe?: Opt<ProbeInput>;
  readinessProbe?: Opt<ProbeInput>;
  postStart?: Opt<ActionInput>;
  preStop?: Opt<ActionInput>;
  terminationGracePeriodSeconds?: Opt<number>;
}

const int = (min: number, max: number, unit = '') =>
  z
    .number()
    .int()
    .min(min, `Must be at least ${min}${unit}.`)
    .max(max, `Must be at most ${max}${unit}.`)
    .nullish();

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export const imageTag = z.string().regex(IMAGE_TAG, "A tag is 1–128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.");

/** An instance count: at least 1, at most the configured maximum. */
export const instancesSchema = (maxInstances: number) =>
  z.number().int().min(1, 'Must be at least 1.').max(maxInstances, `Must be at most ${maxInstances} (the configured maximum).`);

const httpAction = z.object({
  path: z
    .string()
    .min(1, 'Required.')
    .max(2048, 'At most 2048 characters.')
    .refine((p) => p.startsWith('/'), { message: "An HTTP path starts with '/'.", params: { code: 'INVALID_FORMAT' } })
    .refine((p) => !hasControl(p), { message: CONTROL_MESSAGE, params: { code: 'INVALID_FORMAT' } }),
  port: int(LIMITS.port.min, LIMITS.port.max),
  scheme: z.enum(HTTP_SCHEMES).nullish(),
});

const execAction = z.object({
  command: z
    .array(z.string().max(4096, 'At most 4096 characters.').refine((a) => !hasNul(a), { message: NUL_MESSAGE, params: { code: 'INVALID_FORMAT' } }))
    .min(1, { error: 'Give at least the program, e.g. ["sh", "-c", "curl -f localhost:8080/health"].', abort: true })
    .refine((c) => (c[0] ?? '').trim() !== '', { message: 'The program (first element) must not be empty.', params: { code: 'REQUIRED' } }),
});

const action = z.object({ http: httpAction.nullish(), exec: execAction.nullish() });

const probe = action.extend({
  initialDelaySeconds: int(LIMITS.initialDelaySeconds.min, LIMITS.initialDelaySeconds.max, ' seconds'),
  periodSeconds: int(LIMITS.periodSeconds.min, LIMITS.periodSeconds.max, ' seconds'),
  timeoutSeconds: int(LIMITS.timeoutSeconds.min, LIMITS.timeoutSeconds.max, ' seconds'),
  successThreshold: int(LIMITS.threshold.min, LIMITS.threshold.max),
  failureThreshold: int(LIMITS.threshold.min, LIMITS.threshold.max),
});

/** A log file path (absolute; the file name may be a pattern) or `stdout`, the container's output. */
const logPath = () =>
  z
    .string()
    .min(1, { error: 'Required.', abort: true })
    .max(4096, { error: 'At most 4096 characters.', abort: true })
    .refine((p) => p === STDOUT || p.startsWith('/'), { message: "Must be an absolute path (start with '/') or stdout.", params: { code: 'INVALID_FORMAT' }, abort: true })
    .refine((p) => !p.split('/').includes('..'), { message: "Must not contain '..' segments.", params: { code: 'INVALID_FORMAT' } })
    .refine((p) => !hasControl(p), { message: CONTROL_MESSAGE, params: { code: 'INVALID_FORMAT' } })
    .refine((p) => !p.includes(','), { message: "A log path must not contain ',' (cairn lists the paths comma-separated).", params: { code: 'INVALID_FORMAT' } });

/** Per-field checks of a configuration input. Cross-field rules live in config-rules.ts. */
export function configInputSchema(maxInstances: number) {
  return z.object({
    officialImage: z.enum(OFFICIAL_IMAGE_KINDS).nullish(),
    image: z.string().max(255, 'At most 255 characters.').regex(IMAGE_REFERENCE, 'Not an image reference (e.g. `nginx` or `registry.example.com/team/app`); put the tag in imageTag, not here.').nullish(),
    imageTag: imageTag.nullish(),
    instances: instancesSchema(maxInstances).nullish(),
    cpuMillicores: int(LIMITS.cpuMillicores.min, LIMITS.cpuMillicores.max, ' millicores'),
    memoryMb: int(LIMITS.memoryMb.min, LIMITS.memoryMb.max, ' MB'),
    deployRootDir: absolutePath().nullish(),
    logCollection: z
      .object({
        paths: z
          .array(logPath())
          .max(50, 'At most 50 log paths.')
          .nullish(),
        logStore: z
          .string()
          .min(1, 'Required.')
          .max(63, 'At most 63 characters.')
          .regex(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, "Use lower-case letters, digits, '-', '_' and '.'.")
          .nullish(),
      })
      .nullish(),
    ports: z
      .array(
        z.object({
          containerPort: int(LIMITS.port.min, LIMITS.port.max),
          protocol: z.enum(PROTOCOLS).nullish(),
          name: z
            .string()
            .min(1, 'Required.')
            .superRefine((n, ctx) => {
              const message = portNameProblem(n);
              if (message) ctx.addIssue({ code: 'custom', message, params: { code: n.length > 15 ? 'TOO_LONG' : 'INVALID_FORMAT' } });
            })
            .nullish(),
        }),
      )
      .max(100, 'At most 100 ports.')
      .nullish(),
    env: z
      .array(
        z.object({
          name: z.string().min(1, 'Required.').max(253, 'At most 253 characters.').regex(ENV_NAME, 'Use letters, digits and _, not starting with a digit (a C identifier).'),
          value: z
            .string()
            .refine((v) => utf8Bytes(v) <= LIMITS.envValueBytes, { message: `At most ${LIMITS.envValueBytes} bytes.`, params: { code: 'TOO_LONG' } })
            .refine((v) => !hasNul(v), { message: NUL_MESSAGE, params: { code: 'INVALID_FORMAT' } })
            .nullish(),
          secret: z.boolean().nullish(),
        }),
      )
      .max(500, 'At most 500 variables.')
      .nullish(),
    fileMounts: z
      .array(
        z.object({
          path: absolutePath(),
          content: z.string().refine((c) => utf8Bytes(c) <= LIMITS.fileMountBytes, {
            message: `At most 1 MiB (${LIMITS.fileMountBytes} bytes, UTF-8).`,
            params: { code: 'TOO_LONG' },
          }),
        }),
      )
      .max(50, 'At most 50 file mounts.')
      .nullish(),
    directoryMounts: z
      .array(z.object({ containerPath: absolutePath(), hostPath: absolutePath() }))
      .max(50, 'At most 50 directory mounts.')
      .nullish(),
    livenessProbe: probe.nullish(),
    readinessProbe: probe.nullish(),
    postStart: action.nullish(),
    preStop: action.nullish(),
    terminationGracePeriodSeconds: int(LIMITS.terminationGracePeriodSeconds.min, LIMITS.terminationGracePeriodSeconds.max, ' seconds'),
  });
}

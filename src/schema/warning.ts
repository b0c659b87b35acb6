import type { Warning } from '../domain/config-rules.js';
import { WARNING_CODES } from '../domain/config-rules.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';

const descriptions: Record<(typeof WARNING_CODES)[number], string> = {
  FEW_INSTANCES: 'Fewer than 2 instances: the app is down while its only instance restarts or is released.',
  PROBE_PORT_NOT_MAPPED: 'An HTTP probe checks a port that is not among the port mappings; the release will likely fail its health checks.',
  LOG_PATH_NOT_COLLECTED: 'A stored log path breaks the log-collection rules (saved before they existed): it is released without its collector variable and volume.',
  LOG_VOLUME_ADDED: 'The release mounts an empty log volume the running revision does not have: what the image ships in that directory is hidden.',
};

export const WarningCodeEnum = builder.enumType('WarningCode', {
  description: 'Why an accepted setting deserves a second look.',
  values: Object.fromEntries(WARNING_CODES.map((c) => [c, { description: descriptions[c] }])) as Record<(typeof WARNING_CODES)[number], { description: string }>,
});

export const ConfigWarningRef = builder.objectRef<Warning>('ConfigWarning').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A setting that was accepted and saved, but is probably not what you want.',
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'The setting\'s path within the configuration, e.g. ["readinessProbe", "http", "port"].' }),
    code: t.field({ type: WarningCodeEnum, description: 'The kind of warning.', resolve: (w) => w.code }),
    message: t.exposeString('message', { description: 'The warning in words.' }),
  }),
});

import { HTTP_SCHEMES, OFFICIAL_IMAGE_KINDS, PROTOCOLS } from '../domain/config-types.js';
import { OFFICIAL_IMAGES } from '../domain/official-images.js';
import { builder } from './builder.js';

export const AppTypeEnum = builder.enumType('AppType', {
  description: 'How an app keeps state; decides the Kubernetes workload it is released as.',
  values: {
    STATELESS: { description: 'No stable identity: released as a Kubernetes Deployment. The default.' },
    STATEFUL: { description: 'Stable unique network identity or ordered rollout: released as a Kubernetes StatefulSet.' },
  } as const,
});

export const DeployMethodEnum = builder.enumType('DeployMethod', {
  description: 'How an app is deployed.',
  values: {
    CONTAINER: { description: 'Container deployment: the default and, for now, the only method.' },
  } as const,
});

export const EnvironmentKindEnum = builder.enumType('EnvironmentKind', {
  description: 'Which of an app\'s two environments; each runs on its own cluster.',
  values: {
    PRODUCTION: { description: 'The production environment, serving real traffic.' },
    TEST: { description: 'The test environment.' },
  } as const,
});

export const ProtocolEnum = builder.enumType('Protocol', {
  description: 'The transport protocol of a port.',
  values: Object.fromEntries(PROTOCOLS.map((p) => [p, { description: p === 'TCP' ? 'TCP (the default).' : 'UDP.' }])) as Record<
    (typeof PROTOCOLS)[number],
    { description: string }
  >,
});

export const HttpSchemeEnum = builder.enumType('HttpScheme', {
  description: 'The scheme of an HTTP check or hook.',
  values: Object.fromEntries(HTTP_SCHEMES.map((s) => [s, { description: s === 'HTTP' ? 'Plain HTTP (the default).' : 'HTTPS; the certificate is not verified, as in Kubernetes.' }])) as Record<
    (typeof HTTP_SCHEMES)[number],
    { description: string }
  >,
});

export const OfficialImageKindEnum = builder.enumType('OfficialImageKind', {
  description: 'An official image: a preset with a default port, deploy root, health checks and resources (see the officialImages query).',
  values: Object.fromEntries(
    OFFICIAL_IMAGE_KINDS.map((k) => [k, { description: `${OFFICIAL_IMAGES[k].displayName}: ${OFFICIAL_IMAGES[k].description}` }]),
  ) as Record<(typeof OFFICIAL_IMAGE_KINDS)[number], { description: string }>,
});

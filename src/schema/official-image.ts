import { OFFICIAL_IMAGE_KINDS } from '../domain/config-types.js';
import { OFFICIAL_IMAGES, presetSettings, type OfficialImage } from '../domain/official-images.js';
import { AUTHENTICATED } from './auth-rules.js';
import { ACCESS } from './access-text.js';
import { builder } from './builder.js';
import { DeploymentSettingsInterface } from './deployment-settings.js';
import { OfficialImageKindEnum } from './enums.js';

const OfficialImageRef = builder.objectRef<OfficialImage & { settings: ReturnType<typeof presetSettings> }>('OfficialImage');

OfficialImageRef.implement({
  description:
    'An official image and the defaults it stands for. Pass its `kind` as `officialImage` in DeploymentConfigInput (or createApp): every setting you omit takes the value shown here; any you give overrides it.',
  interfaces: [DeploymentSettingsInterface],
  authScopes: AUTHENTICATED,
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'displayName' in v,
  fields: (t) => ({
    kind: t.field({ type: OfficialImageKindEnum, description: 'The value to pass as `officialImage`.', resolve: (o) => o.kind }),
    displayName: t.exposeString('displayName', { description: 'A human name, e.g. "Spring Boot 2".' }),
    description: t.exposeString('description', { description: 'What the image runs and where it listens.' }),
    defaultTag: t.exposeString('defaultTag', { description: 'The tag a new configuration gets when none is given.' }),
    defaultPort: t.exposeInt('port', { description: 'The port the image serves traffic on.' }),
  }),
});

builder.queryFields((t) => ({
  officialImages: t.field({
    type: [OfficialImageRef],
    description: 'The official images (tomcat, springboot2, nodejs, nginx …) with the defaults each fills in. ' + ACCESS.anyToken,
    authScopes: AUTHENTICATED,
    resolve: () => OFFICIAL_IMAGE_KINDS.map((k) => ({ ...OFFICIAL_IMAGES[k], settings: presetSettings(k) })),
  }),
}));

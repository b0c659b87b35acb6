import { builder } from './builder.js';
// One import per type file; each file registers its types on the builder.
import './query.js';
import './subscription.js';
import './cluster.js';
import './errors.js';
import './enums.js';
import './revision.js';
import './config-parts.js';
import './deployment-settings.js';
import './warning.js';
import './app.js';
import './environment.js';
import './deployment-config.js';
import './official-image.js';
import './template.js';
import './config-input.js';
import './app-mutations.js';
import './config-mutations.js';
import './template-mutations.js';
import './release-enums.js';
import './release-errors.js';
import './release-batch.js';
import './release-order.js';
import './release-environment.js';
import './release-preview.js';
import './release-mutations.js';

export const schema = builder.toSchema({ sortSchema: true });

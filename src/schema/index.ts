import { builder } from './builder.js';
// One import per type file; each file registers its types on the builder.
import './query.js';
import './subscription.js';
import './cluster.js';

export const schema = builder.toSchema({ sortSchema: true });

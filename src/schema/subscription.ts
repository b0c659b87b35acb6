import { builder } from './builder.js';
import { ACCESS_RULE } from './query.js';

builder.subscriptionType({
  description: `Live updates, over graphql-ws (WebSocket) or server-sent events (POST with Accept: text/event-stream) on /graphql. Access is checked when the subscription starts; a refused subscription fails with FORBIDDEN (for a caller that is not an admin, also for an ID that names nothing). ${ACCESS_RULE}`,
});

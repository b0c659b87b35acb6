import { builder } from './builder.js';

builder.subscriptionType({
  description:
    'Live updates, over graphql-ws (WebSocket) or server-sent events (POST with Accept: text/event-stream) on /graphql. Following an app\'s objects needs a role on the app, checked when the subscription starts; without it (or, for a caller that is not an admin, for an ID that names nothing) the subscription fails with FORBIDDEN.',
});

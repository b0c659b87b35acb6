import { builder } from './builder.js';

builder.subscriptionType({
  description:
    'Live updates, over graphql-ws (WebSocket) or server-sent events (POST with Accept: text/event-stream) on /graphql.',
});

import { builder } from './builder.js';

builder.queryType({
  description: 'The root of every read: apps, environments, clusters, templates and more.',
});
builder.mutationType({
  description: 'Every change: apps, deployment configurations, templates.',
});

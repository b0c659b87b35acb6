import { builder } from './builder.js';

builder.queryType({
  description:
    'The root of every read: apps, environments, clusters, templates and more. Any valid token reads what belongs to no app; what belongs to an app needs a role on it, and an ID of an app the caller has no role on reads as an ID that names nothing (null, or NotFoundError).',
});
builder.mutationType({
  description:
    'Every change: apps, deployment configurations, templates. Each field says the role it needs; a caller without it gets a FORBIDDEN error (nothing is changed), and so does a caller that is not an admin for an ID that names nothing, so that IDs never tell which apps exist.',
});

export { buildServer, type CairnServer } from './build-server.js';
export { createLogger } from './logger.js';
export type { ContextFactory, Readiness, RequestInfo, ServerOptions } from './types.js';
export { GRAPHQL_PATH } from './types.js';
export { createContextFactory, type Services } from './context-factory.js';

import type { Logger } from 'pino';
import type { Config } from '../config.js';

/**
 * What every resolver receives. Domain helpers add their services here (database, cluster registry …);
 * keep it a plain bag of long-lived services plus per-request data.
 */
export interface Context {
  config: Config;
  logger: Logger;
  /** The clock; injected so that tests control time. */
  now: () => Date;
}

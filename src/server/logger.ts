import { pino, type Logger } from 'pino';
import type { Config } from '../config.js';

/**
 * cairn's structured JSON logger. cairn never logs headers, request bodies or kubeconfig text; the
 * redaction below is a second line of defence should a credential-shaped field ever be logged.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'cairn' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'authorization',
        'token',
        'password',
        'secret',
        'kubeconfig',
        '*.authorization',
        '*.token',
        '*.password',
        '*.secret',
        '*.kubeconfig',
        'headers.*',
        '*.headers.*',
      ],
      censor: '[REDACTED]',
    },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

import pino, { type Logger } from 'pino';
import type { Config } from '#src/config/config.ts';

/**
 * Structured JSON logs. Secrets are redacted by path as a second line of defence: services
 * never hand secrets to the logger in the first place (SPEC §7).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-api-token"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'secrets',
  '*.secrets',
  '*.accessToken',
  '*.refreshToken',
  '*.apiToken',
  'accessToken',
  'refreshToken',
  'apiToken',
];

export function createLogger(
  config: Pick<Config, 'logLevel'>,
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'ergo-admin' },
    },
    destination,
  );
}

export type { Logger };

import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Request logs carry method, path, status and timing,
 * never headers or bodies; the redaction list is a second line of defence so
 * that a token or password passed to a log call by mistake is still censored.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'access_token',
        'refresh_token',
        '*.access_token',
        '*.refresh_token',
      ],
      censor: '[redacted]',
    },
  });
}

/** A logger that writes nothing, for tests and embedding apps that log elsewhere. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

import { pino, type Logger } from 'pino'

export type { Logger }

// The API key and any password inside a URL must never reach a log line.
const REDACT = [
  'octopusApiKey', '*.octopusApiKey', 'apiKey', '*.apiKey',
  'authorization', '*.authorization', 'headers.authorization', 'password', '*.password'
]

/** The one root logger: JSON lines on stdout (or `destination`), level from LOG_LEVEL. */
export function createLogger (level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } },
    destination ?? process.stdout)
}

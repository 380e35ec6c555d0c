import { pino, type Logger } from 'pino'
import { redactUrls } from './config.ts'

export type { Logger }

// The API key and any password inside a URL must never reach a log line.
const REDACT = [
  'octopusApiKey', '*.octopusApiKey', 'apiKey', '*.apiKey', 'apiToken', '*.apiToken',
  'authorization', '*.authorization', 'headers.authorization', 'password', '*.password'
]

/** The one root logger: JSON lines on stdout (or `destination`), level from LOG_LEVEL. */
export function createLogger (level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: REDACT, censor: '[redacted]' },
    // A URL's user:password can hide in any string (an error's message or stack, a field):
    // the finished line is masked (lib/config.ts redactUrls), a scan only when it holds '://'.
    hooks: { streamWrite: line => redactUrls(line) }
  }, destination ?? process.stdout)
}

// A Kraken token kept until shortly before it expires, then replaced by one request that
// every concurrent caller awaits (never one request per caller: Octopus rate-limits the
// token mutation like any other, KT-CT-1199).

export interface KrakenToken {
  token: string
  /** When it stops being accepted (UTC ms, this machine's clock). */
  expiresAtMs: number
}

export interface TokenCache {
  /** A token valid for at least the margin; obtains one if needed (one request in flight). */
  get: () => Promise<string>
  /** Drops `token` (the server called it expired); a newer one already obtained is kept. */
  invalidate: (token: string) => void
}

/** Tokens are replaced this long before they expire: a query started just before must not carry a dead one. */
export const TOKEN_MARGIN_MS = 5 * 60 * 1000

export function createTokenCache (obtain: () => Promise<KrakenToken>, now: () => number = Date.now): TokenCache {
  let current: KrakenToken | undefined
  let pending: Promise<KrakenToken> | undefined
  return {
    async get () {
      if (current !== undefined && current.expiresAtMs - TOKEN_MARGIN_MS > now()) return current.token
      pending ??= obtain().then(token => {
        current = token
        return token
      }).finally(() => { pending = undefined })
      return (await pending).token
    },
    invalidate (token) {
      if (current?.token === token) current = undefined
    }
  }
}

// A Kraken token kept until shortly before it expires, then replaced by one request that
// every concurrent caller awaits (never one request per caller: Octopus rate-limits the
// token mutation like any other, KT-CT-1199).

export interface KrakenToken {
  token: string
  /** When it stops being accepted (UTC ms, this machine's clock). */
  expiresAtMs: number
}

export interface TokenCache<C = void> {
  /**
   * A token valid for at least the margin; obtains one if needed (one request in flight) with
   * the caller's context: the cache lives as long as the process, the first caller's signal
   * may be a stopped component's.
   */
  get: (ctx: C) => Promise<string>
  /** Drops `token` (the server called it expired); a newer one already obtained is kept. */
  invalidate: (token: string) => void
}

/** Tokens are replaced this long before they expire: a query started just before must not carry a dead one. */
export const TOKEN_MARGIN_MS = 5 * 60 * 1000

export function createTokenCache<C = void> (obtain: (ctx: C) => Promise<KrakenToken>, now: () => number = Date.now): TokenCache<C> {
  let current: KrakenToken | undefined
  let pending: Promise<KrakenToken> | undefined
  return {
    async get (ctx) {
      if (current !== undefined && current.expiresAtMs - TOKEN_MARGIN_MS > now()) return current.token
      pending ??= obtain(ctx).then(token => {
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

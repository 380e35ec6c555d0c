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
   * the context of the caller that starts the request: the cache lives as long as the process,
   * and a caller that joined a request its starter's stop aborted asks again with its own.
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
  const start = (ctx: C): Promise<KrakenToken> => obtain(ctx).then(token => {
    current = token
    return token
  }).finally(() => { pending = undefined })
  return {
    async get (ctx) {
      if (current !== undefined && current.expiresAtMs - TOKEN_MARGIN_MS > now()) return current.token
      const joined = pending !== undefined
      try {
        return (await (pending ??= start(ctx))).token
      } catch (err) {
        // The request was another caller's, and that caller stopped: ask again with ours (which
        // fails at once if we are stopping too). Any other failure is everyone's.
        if (!joined || !(err instanceof Error && err.name === 'AbortError')) throw err
        return (await (pending ??= start(ctx))).token
      }
    },
    invalidate (token) {
      if (current?.token === token) current = undefined
    }
  }
}

/** An item's result, and the release of the weight it holds (once its output is committed). */
export interface Limited<R> {
  result: Promise<R>
  release (): void
}

/**
 * Runs `fn` on every item, in item order, at most `limit` at a time, and with at most `budget`
 * of weight held at a time: an item holds its weight from its start until release() (its
 * output committed), not only while `fn` runs, so what waits to be committed counts too (an
 * item weighs at most the budget, so it runs alone at worst). One entry per item, in item
 * order; items start in order, so the first uncommitted one has always started.
 */
export function startLimited<T, R> (items: T[], limit: number, budget: number, weightOf: (item: T) => number, fn: (item: T) => Promise<R>): Array<Limited<R>> {
  let running = 0
  let weight = 0
  const queue: Array<{ weight: number, start: () => void }> = []
  const fits = (w: number): boolean => running < limit && (weight === 0 || weight + w <= budget)
  const pump = (): void => {
    while (queue.length > 0 && fits(queue[0].weight)) {
      const next = queue.shift() as { weight: number, start: () => void }
      running++
      weight += next.weight
      next.start()
    }
  }
  return items.map(item => {
    const w = Math.min(weightOf(item), budget)
    let released = false
    let started = false
    const result = (async () => {
      await new Promise<void>(resolve => {
        queue.push({ weight: w, start: resolve })
        pump()
      })
      started = true
      try {
        return await fn(item)
      } finally {
        running--
        pump()
      }
    })()
    return {
      result,
      release () {
        if (released || !started) return
        released = true
        weight -= w
        pump()
      }
    }
  })
}

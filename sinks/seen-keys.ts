import { fnv1a } from '../lib/hash.ts'

// The record keys a replay has already met, kept as 32-bit hashes in one flat table instead
// of a Set of strings: small, and nothing for the garbage collector to trace (docs/bench.md).
// Two keys with the same hash make the second look already met; its record then takes the
// upserting path, which is slower but gives the same rows, so the table may only err that way.

export interface SeenKeys {
  /** Records `key`; true when it (or a key with the same hash) was met before. */
  add (key: string): boolean
}

const EMPTY = 0

export function createSeenKeys (initialCapacity = 1 << 16): SeenKeys {
  // A power of two, so that a mask walks every slot.
  let slots = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(2, initialCapacity))))
  let used = 0

  function insert (table: Int32Array, hash: number): boolean {
    const mask = table.length - 1
    let i = hash & mask
    while (table[i] !== EMPTY) {
      if (table[i] === hash) return true
      i = (i + 1) & mask
    }
    table[i] = hash
    return false
  }

  return {
    add (key) {
      // As an int32, never 0 (the empty slot).
      const hash = (fnv1a(key) | 0) || 1
      if (insert(slots, hash)) return true
      // Kept at most half full, so that probes stay short.
      if (++used * 2 > slots.length) {
        const old = slots
        slots = new Int32Array(old.length * 2)
        for (const h of old) if (h !== EMPTY) insert(slots, h)
      }
      return false
    }
  }
}

import type { Readable } from 'node:stream'

// Turns a message stream into batches of up to `maxSize`, closing a batch `maxWaitMs` after
// its first message. The stream is paused while twice a batch is buffered, so a slow consumer
// pushes back on the fetch loop instead of buffering a topic in memory.

export interface Batcher<T> {
  /** The next batch; [] when the stream ended or `signal` aborted. */
  next (signal?: AbortSignal): Promise<T[]>
}

export function createBatcher<T> (stream: Readable, maxSize: number, maxWaitMs: number): Batcher<T> {
  const buffer: T[] = []
  let ended = false
  let failure: Error | undefined
  let wake: (() => void) | undefined
  const notify = (): void => { const w = wake; wake = undefined; w?.() }

  stream.on('data', (item: T) => {
    buffer.push(item)
    if (buffer.length >= maxSize * 2) stream.pause()
    notify()
  })
  stream.once('error', (err: Error) => { failure = err; notify() })
  stream.once('end', () => { ended = true; notify() })
  stream.once('close', () => { ended = true; notify() })

  function waitFor (ms: number | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      const done = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', done); wake = undefined; resolve() }
      const timer = ms === undefined ? undefined : setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
      wake = done
    })
  }

  // Set from stream events while next() waits.
  const over = (signal?: AbortSignal): boolean => ended || failure !== undefined || signal?.aborted === true

  return {
    async next (signal) {
      while (buffer.length === 0 && !over(signal)) await waitFor(undefined, signal)
      const deadline = Date.now() + maxWaitMs
      while (buffer.length < maxSize && !over(signal) && Date.now() < deadline) {
        await waitFor(deadline - Date.now(), signal)
      }
      if (failure !== undefined && buffer.length === 0) throw failure
      const batch = buffer.splice(0, maxSize)
      if (stream.isPaused() && buffer.length < maxSize) stream.resume()
      return batch
    }
  }
}

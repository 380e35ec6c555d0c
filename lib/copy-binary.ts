// PostgreSQL's binary COPY format (docs: "COPY … Binary Format"): no number-to-text
// conversion on our side, no text parsing on the server's. Values arrive as the pipeline
// holds them: timestamps as epoch milliseconds, dates as YYYY-MM-DD, doubles as numbers.

export type ColumnType = 'timestamptz' | 'date' | 'text' | 'float8' | 'int4' | 'int2' | 'bool' | 'jsonb'
export type CopyValue = string | number | boolean | null

// 'PGCOPY\n\377\r\n\0', then flags and header-extension length, both int32 zero.
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])
const TRAILER = Buffer.from([0xff, 0xff])
// Postgres epoch 2000-01-01T00:00:00Z in Unix milliseconds and days.
const PG_EPOCH_MS = 946_684_800_000
const PG_EPOCH_DAYS = 10_957
const TWO_32 = 2 ** 32
const CHUNK = 64 * 1024

const dayNumbers = new Map<string, number>()

function pgDays (date: string): number {
  let days = dayNumbers.get(date)
  if (days === undefined) {
    days = Date.parse(`${date}T00:00:00Z`) / 86_400_000 - PG_EPOCH_DAYS
    if (!Number.isInteger(days)) throw new RangeError(`"${date}" is not a date`)
    if (dayNumbers.size > 50_000) dayNumbers.clear()
    dayNumbers.set(date, days)
  }
  return days
}

/** Encodes rows into binary COPY chunks of about 64 KiB. */
export class BinaryCopyEncoder {
  private buffer = Buffer.allocUnsafe(CHUNK)
  private used = 0
  private readonly types: ColumnType[]

  constructor (types: ColumnType[]) {
    this.types = types
  }

  header (): Buffer {
    return HEADER
  }

  trailer (): Buffer {
    return TRAILER
  }

  private room (bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes))
    this.buffer.copy(next, 0, 0, this.used)
    this.buffer = next
  }

  /** Appends one row; returns a full chunk when one is ready to send. */
  row (values: readonly CopyValue[]): Buffer | undefined {
    this.room(2)
    this.used = this.buffer.writeInt16BE(values.length, this.used)
    for (let i = 0; i < values.length; i++) this.field(this.types[i], values[i])
    return this.used >= CHUNK ? this.flush() : undefined
  }

  /**
   * Appends one staging row: `values` (of the encoder's types), then the row's position in its
   * batch (int4) and whether it is a tombstone (bool). Written in place: a batch of mix rows
   * would otherwise allocate an array per row just to add the two.
   */
  stagingRow (values: readonly CopyValue[], seq: number, deleted: boolean): Buffer | undefined {
    this.room(2)
    this.used = this.buffer.writeInt16BE(values.length + 2, this.used)
    for (let i = 0; i < values.length; i++) this.field(this.types[i], values[i])
    this.field('int4', seq)
    this.field('bool', deleted)
    return this.used >= CHUNK ? this.flush() : undefined
  }

  /** Whatever is buffered, or undefined. */
  flush (): Buffer | undefined {
    if (this.used === 0) return undefined
    const out = Buffer.from(this.buffer.subarray(0, this.used))
    this.used = 0
    return out
  }

  private field (type: ColumnType, value: CopyValue): void {
    if (value === null) {
      this.room(4)
      this.used = this.buffer.writeInt32BE(-1, this.used)
      return
    }
    switch (type) {
      case 'timestamptz': {
        // int64 microseconds since the Postgres epoch, written as two int32 halves (exact
        // below 2^53 µs, i.e. for any timestamp within ±142 years of 2000).
        const us = ((value as number) - PG_EPOCH_MS) * 1000
        const hi = Math.floor(us / TWO_32)
        this.room(12)
        this.used = this.buffer.writeInt32BE(8, this.used)
        this.used = this.buffer.writeInt32BE(hi, this.used)
        this.used = this.buffer.writeUInt32BE(us - hi * TWO_32, this.used)
        return
      }
      case 'date':
        this.room(8)
        this.used = this.buffer.writeInt32BE(4, this.used)
        this.used = this.buffer.writeInt32BE(pgDays(value as string), this.used)
        return
      case 'float8':
        this.room(12)
        this.used = this.buffer.writeInt32BE(8, this.used)
        this.used = this.buffer.writeDoubleBE(value as number, this.used)
        return
      case 'int4':
        this.room(8)
        this.used = this.buffer.writeInt32BE(4, this.used)
        this.used = this.buffer.writeInt32BE(value as number, this.used)
        return
      case 'int2':
        this.room(6)
        this.used = this.buffer.writeInt32BE(2, this.used)
        this.used = this.buffer.writeInt16BE(value as number, this.used)
        return
      case 'bool':
        this.room(5)
        this.used = this.buffer.writeInt32BE(1, this.used)
        this.used = this.buffer.writeUInt8(value === true ? 1 : 0, this.used)
        return
      case 'text':
      case 'jsonb': {
        const text = String(value)
        const max = Buffer.byteLength(text) + 5
        this.room(max + 4)
        const lengthAt = this.used
        this.used += 4
        // jsonb's binary form is a version byte (1) before the JSON text.
        if (type === 'jsonb') this.used = this.buffer.writeUInt8(1, this.used)
        this.used += this.buffer.write(text, this.used, 'utf8')
        this.buffer.writeInt32BE(this.used - lengthAt - 4, lengthAt)
      }
    }
  }
}

import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  addDays, datesBetween, isLocalDate, localDateOf, londonDay, londonOffsetMs, SLOT_MS, slotStarts
} from '../../../lib/london-day.ts'

// A day is a Europe/London local date with 46, 48 or 50 half-hour slots (DESIGN.md "The day").
// lib/london-day.ts computes it with arithmetic; these tests check it against Intl, whose
// time zone data is the independent source of truth.

const HOUR_MS = 3600 * 1000
const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23'
})

/** Local date and time of a UTC instant in London, according to Intl. */
function intlLondon (utcMs: number): { date: string, time: string } {
  const p = Object.fromEntries(londonParts.formatToParts(utcMs).map(part => [part.type, part.value]))
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` }
}

test('2024-03-31 (clocks go forward) has 46 slots, starting at midnight GMT', () => {
  const day = londonDay('2024-03-31')
  assert.deepStrictEqual(day, {
    date: '2024-03-31',
    startMs: Date.parse('2024-03-31T00:00:00Z'),
    endMs: Date.parse('2024-03-31T23:00:00Z'),
    slots: 46
  })
  const starts = slotStarts(day)
  assert.equal(starts.length, 46)
  // 01:00 UTC is 02:00 BST: the slots jump from 00:30 GMT to 02:00 BST local, UTC stays regular.
  assert.equal(new Date(starts[2]).toISOString(), '2024-03-31T01:00:00.000Z')
  assert.equal(new Date(starts[45]).toISOString(), '2024-03-31T22:30:00.000Z')
})

test('2024-06-15 (summer time) has 48 slots, starting at 23:00 UTC the evening before', () => {
  const day = londonDay('2024-06-15')
  assert.deepStrictEqual(day, {
    date: '2024-06-15',
    startMs: Date.parse('2024-06-14T23:00:00Z'),
    endMs: Date.parse('2024-06-15T23:00:00Z'),
    slots: 48
  })
  assert.equal(slotStarts(day).length, 48)
})

test('2024-10-27 (clocks go back) has 50 slots', () => {
  const day = londonDay('2024-10-27')
  assert.deepStrictEqual(day, {
    date: '2024-10-27',
    startMs: Date.parse('2024-10-26T23:00:00Z'),
    endMs: Date.parse('2024-10-28T00:00:00Z'),
    slots: 50
  })
  const starts = slotStarts(day)
  assert.equal(starts.length, 50)
  for (let i = 1; i < starts.length; i++) assert.equal(starts[i] - starts[i - 1], SLOT_MS)
  // 01:00-02:00 local happens twice: 00:00-01:00 UTC (BST) and 01:00-02:00 UTC (GMT).
  assert.equal(localDateOf(Date.parse('2024-10-27T00:30:00Z')), '2024-10-27')
  assert.equal(localDateOf(Date.parse('2024-10-27T01:30:00Z')), '2024-10-27')
})

test('every day from 1997 to 2040 starts where Intl says London midnight is, and localDateOf agrees with Intl', () => {
  const dates = datesBetween('1997-01-01', '2040-12-31')
  assert.equal(dates.length, 16071)
  const slotCounts = new Map<number, number>()
  const shortDays: string[] = []
  const longDays: string[] = []
  for (const date of dates) {
    const day = londonDay(date)
    assert.deepStrictEqual(intlLondon(day.startMs), { date, time: '00:00' }, `start of ${date}`)
    assert.equal(intlLondon(day.startMs - 1).date, addDays(date, -1), `instant before ${date}`)
    assert.equal(localDateOf(day.startMs), date)
    assert.equal(localDateOf(day.startMs - 1), addDays(date, -1))
    assert.equal(localDateOf(day.endMs - 1), date)
    // Noon UTC and the switch hour (01:00-02:00 UTC) of every day.
    for (const utcMs of [Date.parse(`${date}T12:00:00Z`), Date.parse(`${date}T00:59:59.999Z`),
      Date.parse(`${date}T01:00:00Z`), Date.parse(`${date}T01:30:00Z`)]) {
      const intl = intlLondon(utcMs)
      assert.equal(localDateOf(utcMs), intl.date, `localDateOf ${new Date(utcMs).toISOString()}`)
    }
    slotCounts.set(day.slots, (slotCounts.get(day.slots) ?? 0) + 1)
    if (day.slots === 46) shortDays.push(date)
    if (day.slots === 50) longDays.push(date)
  }
  // One short and one long day a year (44 years), each a Sunday, in March and October.
  assert.deepStrictEqual([...slotCounts.entries()].sort(), [[46, 44], [48, 16071 - 88], [50, 44]])
  for (const date of shortDays) assert.match(date, /^\d{4}-03-(2[5-9]|3[01])$/)
  for (const date of longDays) assert.match(date, /^\d{4}-10-(2[5-9]|3[01])$/)
  for (const date of [...shortDays, ...longDays]) assert.equal(new Date(`${date}T12:00:00Z`).getUTCDay(), 0, `${date} is a Sunday`)
})

test('every slot start of the DST days and their neighbours lies in the right local date', () => {
  for (const date of ['2024-03-30', '2024-03-31', '2024-04-01', '2024-10-26', '2024-10-27', '2024-10-28', '2025-03-30', '2025-10-26']) {
    const day = londonDay(date)
    for (const start of slotStarts(day)) {
      assert.equal(intlLondon(start).date, date)
      assert.equal(localDateOf(start), date)
    }
  }
})

test('londonOffsetMs switches at 01:00 UTC on the last Sundays of March and October', () => {
  assert.equal(londonOffsetMs(Date.parse('2024-03-31T00:59:59.999Z')), 0)
  assert.equal(londonOffsetMs(Date.parse('2024-03-31T01:00:00Z')), HOUR_MS)
  assert.equal(londonOffsetMs(Date.parse('2024-10-27T00:59:59.999Z')), HOUR_MS)
  assert.equal(londonOffsetMs(Date.parse('2024-10-27T01:00:00Z')), 0)
})

test('isLocalDate accepts real YYYY-MM-DD dates only', () => {
  for (const good of ['2024-02-29', '2024-03-31', '1997-01-01', '2040-12-31']) assert.equal(isLocalDate(good), true, good)
  for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '24-1-1', '2024-1-01', '2024-01-01T00:00:00Z', ' 2024-01-01', '']) {
    assert.equal(isLocalDate(bad), false, bad)
  }
})

test('londonDay refuses a non-date with a RangeError naming it', () => {
  assert.throws(() => londonDay('2024-02-30'), { name: 'RangeError', message: '"2024-02-30" is not a date (expected YYYY-MM-DD)' })
  assert.throws(() => londonDay('24-1-1'), { name: 'RangeError', message: '"24-1-1" is not a date (expected YYYY-MM-DD)' })
})

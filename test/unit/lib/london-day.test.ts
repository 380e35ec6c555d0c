import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  addDays, datesBetween, FIRST_YEAR, isCalendarDate, isLocalDate, LAST_YEAR, localDateOf, localDateProblem, londonDay, londonOffsetMs, SLOT_MS, slotStarts
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

test('isCalendarDate checks the Gregorian calendar for every year 0000-9999, years 0-99 included', () => {
  // Date.UTC maps years 0-99 to 1900-1999: these must not be judged as 1900, 1942, 1996.
  for (const good of ['0000-01-01', '0000-02-29', '0042-12-31', '0096-02-29', '0099-12-31', '1600-02-29', '2000-02-29', '2024-02-29', '9999-12-31']) {
    assert.equal(isCalendarDate(good), true, good)
  }
  for (const bad of ['0042-02-29', '0100-02-29', '1900-02-29', '2100-02-29', '2023-02-29', '0042-13-01', '0042-00-01', '0042-04-31', '0042-01-00', '0042-01-32', '42-01-01', '+002024-01-01', '２０２４-01-01']) {
    assert.equal(isCalendarDate(bad), false, bad)
  }
})

test(`isLocalDate: a calendar date in ${FIRST_YEAR}-${LAST_YEAR}, the years londonDay serves`, () => {
  assert.deepStrictEqual([FIRST_YEAR, LAST_YEAR], [1996, 2100])
  for (const good of ['1996-01-01', '2100-12-31', '2096-02-29']) assert.equal(isLocalDate(good), true, good)
  for (const bad of ['0042-01-01', '0000-02-29', '1995-12-31', '1970-01-01', '2101-01-01', '9999-12-31', '2100-02-29']) assert.equal(isLocalDate(bad), false, bad)
})

test('londonDay says "out of range" for a real date in a year it does not serve, "not a date" for the rest', () => {
  for (const [date, year] of [['0042-01-01', '0042'], ['0000-02-29', '0000'], ['1995-10-22', '1995'], ['2101-01-01', '2101'], ['9999-12-31', '9999']]) {
    const message = `"${date}": year ${year} is out of range (1996-2100)`
    assert.equal(localDateProblem(date), message)
    assert.throws(() => londonDay(date), { name: 'RangeError', message }, date)
  }
  assert.throws(() => londonDay('0042-02-29'), { name: 'RangeError', message: '"0042-02-29" is not a date (expected YYYY-MM-DD)' })
  // A long value is cut in the message.
  assert.throws(() => londonDay('x'.repeat(15000)), { name: 'RangeError', message: `"${'x'.repeat(60)}…" is not a date (expected YYYY-MM-DD)` })
  assert.equal(localDateProblem('2024-06-15'), undefined)
  // The bounds themselves are whole days.
  assert.deepStrictEqual(londonDay('1996-01-01'), { date: '1996-01-01', startMs: Date.parse('1996-01-01T00:00:00Z'), endMs: Date.parse('1996-01-02T00:00:00Z'), slots: 48 })
  assert.deepStrictEqual(londonDay('2100-12-31'), { date: '2100-12-31', startMs: Date.parse('2100-12-31T00:00:00Z'), endMs: Date.parse('2101-01-01T00:00:00Z'), slots: 48 })
})

test(`the switch days of every year ${FIRST_YEAR}-${LAST_YEAR} agree with Intl, and ${FIRST_YEAR - 1} does not (why the range starts there)`, () => {
  const agrees = (date: string): boolean => {
    const day = londonDay(date)
    return intlLondon(day.startMs).date === date && intlLondon(day.startMs).time === '00:00' && intlLondon(day.endMs).time === '00:00'
  }
  const switchDays = (year: number): string[] => ['03', '10'].flatMap(month => ['24', '25', '26', '27', '28', '29', '30', '31'].map(d => `${year}-${month}-${d}`)).concat(`${year}-01-01`)
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
    for (const date of switchDays(year)) assert.equal(agrees(date), true, date)
  }
  // 1995: BST ended on 22 October (the fourth Sunday), not the last one; the EU rule would say 29.
  const day = { date: '1995-10-22', startMs: Date.parse('1995-10-21T23:00:00Z'), endMs: Date.parse('1995-10-23T00:00:00Z') }
  assert.deepStrictEqual(intlLondon(day.startMs), { date: '1995-10-22', time: '00:00' })
  assert.deepStrictEqual(intlLondon(day.endMs), { date: '1995-10-23', time: '00:00' }, 'Intl: 1995-10-22 had 50 slots')
})

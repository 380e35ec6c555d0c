// Computed vs billed (GET /api/billed): the day view's line, the range's panel of days that
// differ by more than 1p with their likely reasons, and the billed source's state for the
// months view. Plain DOM, like app.js; server strings reach the page as text nodes only.

import { $, el } from './dom.js'

const money = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
export const pounds = pence => `£${money.format(pence / 100)}`
/** A difference: pence below £1 (the comparison's unit is 1p), pounds above; always signed. */
export function signedMoney (pence) {
  const sign = pence > 0 ? '+' : pence < 0 ? '−' : '±'
  const abs = Math.abs(pence)
  return abs < 100 ? `${sign}${money.format(abs)}p` : `${sign}£${money.format(abs / 100)}`
}

async function getBilled (from, to) {
  const query = new URLSearchParams()
  if (from) query.set('from', from)
  if (to) query.set('to', to)
  const res = await fetch(`/api/billed?${query}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10000) })
  const body = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(body.error ?? `/api/billed answered ${res.status}`)
  return body
}

let source = null
/** The billed source's state ({running, in_sources, note}), read once per page. */
export function billedSource () {
  source ??= getBilled().then(body => body.source).catch(() => { source = null; return null })
  return source
}

function reasonList (reasons) {
  return el('ul', { className: 'reasons' }, ...reasons.map(r => el('li', { className: `reason reason-${r.code}`, title: r.code }, r.text)))
}

/** The panel "Computed vs billed" for the range view's dates. */
export async function showBilledPanel (from, to) {
  const note = $('billed-note')
  const table = $('billed-table')
  // Only the newest request writes: an older answer arriving late is dropped.
  const asked = `${from ?? ''}..${to ?? ''}`
  note.dataset.asked = asked
  const body = await getBilled(from, to)
  if (note.dataset.asked !== asked) return
  source = Promise.resolve(body.source)
  // Each day on two rows, its figures then its reasons across the table: the reasons stay in
  // view on a phone, where a fifth column would scroll out of sight.
  const rows = body.days.flatMap(d => [
    el('tr', { className: 'billed-row' },
      el('th', { scope: 'row' }, el('a', { href: `#/day/${d.date}` }, d.date)),
      el('td', { className: 'num' }, pounds(d.computed_inc_vat)),
      el('td', { className: 'num' }, pounds(d.billed_inc_vat)),
      el('td', { className: `num ${d.difference > 0 ? 'worse' : 'better'}` }, signedMoney(d.difference))),
    el('tr', { className: 'reasons-row' }, el('td', { colspan: '4', className: 'note-cell' }, reasonList(d.reasons)))
  ])
  $('billed-body').replaceChildren(...rows)
  table.hidden = rows.length === 0
  if (!body.source.running) {
    note.textContent = body.source.note
    note.className = 'note warn'
    return
  }
  note.className = 'note'
  if (body.days_billed === 0) {
    note.textContent = `Octopus has no billed figures from ${body.from} to ${body.to} yet.`
    return
  }
  const uncompared = body.days_billed - body.days_compared
  note.textContent = `${body.days_compared} day${body.days_compared === 1 ? '' : 's'} compared from ${body.from} to ${body.to}: ` +
    `computed ${pounds(body.computed_inc_vat)}, billed by Octopus ${pounds(body.billed_inc_vat)} (${signedMoney(body.difference)}). ` +
    (body.days_differing === 0 ? `Every day agrees within ${body.tolerance_pence}p.` : `${body.days_differing} differ by more than ${body.tolerance_pence}p, below with the likely reasons.`) +
    (uncompared > 0 ? ` ${uncompared} billed day${uncompared === 1 ? ' has' : 's have'} no computed standing charge to compare.` : '')
}

/**
 * The day view's line: the import meter point as computed (unit cost + standing charge) beside
 * what Octopus billed, and why they differ when they do.
 */
export async function showDayBilled (date, summary) {
  const line = $('day-billed')
  const list = $('day-billed-reasons')
  list.replaceChildren()
  // Another day opened while this one's answers were on their way: leave it.
  line.dataset.date = date
  const current = () => line.dataset.date === date
  line.hidden = summary === null
  if (summary === null) return
  if (summary.billed_inc_vat === null || summary.billed_inc_vat === undefined) {
    const state = await billedSource()
    if (!current()) return
    line.textContent = state !== null && !state.running ? `Billed: ${state.note}` : 'Billed: Octopus has no figure for this day yet.'
    return
  }
  const computed = summary.standing_charge_inc_vat === null ? null : summary.cost_inc_vat + summary.standing_charge_inc_vat
  const difference = summary.billed_difference
  line.textContent = computed === null
    ? `Billed by Octopus ${pounds(summary.billed_inc_vat)} · computed: unknown (no standing charge for this day)`
    : `Computed ${pounds(computed)} (unit cost + standing charge) · billed by Octopus ${pounds(summary.billed_inc_vat)} · ` +
      (Math.abs(difference) <= 1 ? `agree (${signedMoney(difference)})` : `difference ${signedMoney(difference)}`)
  if (summary.billed_other_statistics > 0) line.textContent += ` · ${summary.billed_other_statistics} other statistic${summary.billed_other_statistics === 1 ? '' : 's'} kept`
  if (difference === null || Math.abs(difference) <= 1) return
  const body = await getBilled(date, date)
  const day = body.days.find(d => d.date === date)
  if (current() && day !== undefined) list.replaceChildren(...day.reasons.map(r => el('li', { className: `reason reason-${r.code}`, title: r.code }, r.text)))
}

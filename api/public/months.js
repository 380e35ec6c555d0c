// The months view: GET /api/months, each month beside the same month a year before, and the
// years' totals; CSV downloads of the same range. Plain DOM, like app.js.

import { billedSource, signedMoney } from './billed.js'
import { $, el } from './dom.js'

const pounds = pence => (pence / 100).toLocaleString('en-GB', { style: 'currency', currency: 'GBP' })
const kwh = value => value.toLocaleString('en-GB', { maximumFractionDigits: 0 })
const kg = grams => (grams / 1000).toLocaleString('en-GB', { maximumFractionDigits: 0 })
const monthName = month => new Date(`${month}-01T12:00:00Z`).toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' })

/** The change from a year before, as text: "+12%" / "−5%", or "" when there is nothing to compare. */
function change (now, before) {
  if (before === null || before === 0 || before.days === 0) return ''
  const ratio = (now - before) / Math.abs(before)
  return `${ratio >= 0 ? '+' : '−'}${Math.abs(ratio * 100).toFixed(0)}%`
}

/** "27 of 30", with a badge when the month's bill is not final. */
function daysCell (m) {
  const cell = el('td', {}, `${m.days} of ${m.calendar_days}`)
  if (!m.whole) cell.append(' ', el('span', { className: 'badge', title: 'some days are missing or their bills incomplete' }, 'not final'))
  return cell
}

function row (label, m, beforeBill) {
  // A month without any day says so rather than showing zeros.
  const none = m.days === 0
  const figure = (show, value) => el('td', { className: 'num' }, none ? '–' : show(value))
  return el('tr', { className: m.whole ? '' : 'partial' },
    el('th', { scope: 'row' }, label),
    daysCell(m),
    figure(kwh, m.import_kwh),
    figure(kwh, m.export_kwh),
    figure(kwh, m.gas_kwh),
    figure(pounds, m.import_cost_inc_vat + m.standing_charge_inc_vat),
    figure(pounds, m.gas_cost_inc_vat + m.gas_standing_charge_inc_vat),
    figure(pounds, m.bill_inc_vat),
    el('td', { className: 'num' }, beforeBill),
    el('td', { className: 'num' }, m.carbon_days === 0 ? '–' : kg(m.carbon_g)),
    billedCell(m)
  )
}

/**
 * What Octopus billed over the days that have its figure, and under it the difference from the
 * computed unit cost + standing charge over the days both are known (and how many, when not all).
 */
function billedCell (m) {
  const cell = el('td', { className: 'num billed' }, m.billed_days === 0 ? '–' : pounds(m.billed_inc_vat))
  if (m.billed_days === 0) return cell
  const compared = m.billed_compared_days
  // Non-breaking: "7 of 8 days" wraps as one.
  const over = compared < m.days ? `${compared}\u00a0of\u00a0${m.days}\u00a0days` : ''
  const text = compared === 0 ? `${m.billed_days} of ${m.days} days, none compared` : [signedMoney(m.billed_difference), over].filter(Boolean).join(', ')
  const cls = compared === 0 ? 'unit' : `unit ${m.billed_difference > 1 ? 'worse' : m.billed_difference < -1 ? 'better' : ''}`
  cell.append(el('span', { className: cls, title: 'billed − computed (unit cost + standing charge) over the days both are known' }, text))
  return cell
}

async function showMonths () {
  const from = $('months-from').value
  const to = $('months-to').value
  const query = new URLSearchParams()
  if (from !== '') query.set('from', from)
  if (to !== '') query.set('to', to)
  const res = await fetch(`/api/months?${query}`)
  const body = await res.json()
  if (!res.ok) {
    $('months-note').textContent = body.error
    return
  }
  $('months-from').value = body.from
  $('months-to').value = body.to
  const tbody = $('months-body')
  tbody.replaceChildren(...body.months.slice().reverse().map(m => {
    const before = m.year_before
    const beforeBill = before === null || before.days === 0 ? '–' : `${pounds(before.bill_inc_vat)} ${change(m.bill_inc_vat, before.bill_inc_vat)}`
    return row(monthName(m.month), m, beforeBill)
  }))
  $('years-body').replaceChildren(...body.years.slice().reverse().map(y => row(`${y.year}${y.months < 12 ? ` (${y.months} months)` : ''}`, y, '')))
  const partial = body.months.filter(m => !m.whole).length
  let note = partial === 0
    ? 'Every month shown has all its days in with their bills final.'
    : `${partial} of ${body.months.length} months are not final: some days are missing or their bills incomplete.`
  // No billed figure in any month: say why rather than leave the billed columns blank.
  if (body.months.every(m => m.billed_days === 0)) {
    const state = await billedSource()
    note += state !== null && !state.running ? ` Billed: ${state.note}.` : ' Billed: Octopus has no figures for these months.'
  }
  $('months-note').textContent = note
  const range = `from=${body.from}&to=${body.to}`
  $('months-csv').href = `/api/months.csv?${range}`
  $('months-days-csv').href = `/api/days.csv?from=${body.from}-01&to=${lastDay(body.to)}`
}

/** The last day of a YYYY-MM month. */
function lastDay (month) {
  const [y, m] = month.split('-').map(Number)
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
}

$('months-form').addEventListener('submit', event => {
  event.preventDefault()
  showMonths().catch(err => { $('months-note').textContent = `Could not load the months: ${err.message}` })
})
showMonths().catch(err => { $('months-note').textContent = `Could not load the months: ${err.message}` })

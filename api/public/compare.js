// The tariff comparison panel: GET /api/compare on demand (the first comparison of a period
// fetches the candidates' rates upstream, so it runs when asked, not on page load).

import { $, el } from './dom.js'

const pounds = pence => (pence / 100).toLocaleString('en-GB', { style: 'currency', currency: 'GBP' })
const KINDS = [['Electricity import', c => c.fuel === 'electricity' && c.direction === 'IMPORT'], ['Export', c => c.direction === 'EXPORT'], ['Gas', c => c.fuel === 'gas']]

function candidateRow (c) {
  const export_ = c.direction === 'EXPORT'
  const compared = c.days_compared > 0
  const better = el('td', { className: `num ${c.better_by > 0 ? 'better' : c.better_by < 0 ? 'worse' : ''}` },
    compared ? `${c.better_by >= 0 ? '' : '−'}${pounds(Math.abs(c.better_by))} ${c.better_by >= 0 ? (export_ ? 'more' : 'cheaper') : (export_ ? 'less' : 'dearer')}` : '–')
  return el('tr', {},
    el('th', { scope: 'row' }, c.label, el('span', { className: 'unit' }, c.tariff_code ?? '')),
    el('td', { className: 'num' }, compared ? pounds(c.value_inc_vat) : '–'),
    el('td', { className: 'num' }, compared ? pounds(c.actual_inc_vat) : '–'),
    better,
    el('td', { className: 'note-cell' }, c.note)
  )
}

async function compare () {
  const query = new URLSearchParams()
  if ($('compare-from').value !== '') query.set('from', $('compare-from').value)
  if ($('compare-to').value !== '') query.set('to', $('compare-to').value)
  $('compare-note').textContent = 'Comparing… (the first comparison of a period fetches each tariff\'s rates)'
  $('compare-button').disabled = true
  try {
    const res = await fetch(`/api/compare?${query}`)
    const body = await res.json()
    if (!res.ok) {
      $('compare-note').textContent = body.error
      return
    }
    $('compare-from').value = body.from
    $('compare-to').value = body.to
    const groups = KINDS.flatMap(([title, test]) => {
      const rows = body.candidates.filter(test)
      return rows.length === 0 ? [] : [el('tr', { className: 'group' }, el('th', { colspan: '5', scope: 'colgroup' }, title)), ...rows.map(candidateRow)]
    })
    $('compare-body').replaceChildren(...groups)
    $('compare-note').textContent = `Region ${body.region}, ${body.from} to ${body.to}: each tariff over the days it has prices for, against what you paid on those days; best first.`
  } finally {
    $('compare-button').disabled = false
  }
}

$('compare-form').addEventListener('submit', event => {
  event.preventDefault()
  compare().catch(err => { $('compare-note').textContent = `Could not compare: ${err.message}` })
})

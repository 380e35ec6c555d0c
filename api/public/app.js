/* global location, ResizeObserver */
// The dashboard: plain browser JavaScript, no build step, no third-party code. Charts are
// inline SVG drawn at the container's pixel width (so text stays readable on a phone) and
// redrawn when that width changes. Server strings only ever reach the page as text nodes.

import { showBilledPanel, showDayBilled } from './billed.js'
import { $, el } from './dom.js'

const SVG_NS = 'http://www.w3.org/2000/svg'
const STATUS_EVERY_MS = 5000
// The forecast is fetched again every FORECAST_REFRESH_MINUTES (30 by default): every 5
// minutes shows a new one soon after it lands.
const AHEAD_EVERY_MS = 5 * 60 * 1000
const SLOT_MS = 30 * 60 * 1000

// ---------- formatting ----------

const fixed = digits => new Intl.NumberFormat('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const two = fixed(2)
const one = fixed(1)
const whole = fixed(0)
const fmt2 = n => n === null || n === undefined ? '–' : two.format(n)
const fmt1 = n => n === null || n === undefined ? '–' : one.format(n)
const fmt0 = n => n === null || n === undefined ? '–' : whole.format(n)
// A figure the API could not give (null) stays unknown through unit conversions.
const per = (n, k) => n === null || n === undefined ? null : n / k

// Dates are London local dates 'YYYY-MM-DD'; format them as UTC so no browser zone shifts them.
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })
const shortDayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' })
const longDayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
const utcOf = date => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))
const showDay = date => dayFormat.format(utcOf(date))
const showShortDay = date => shortDayFormat.format(utcOf(date))

// Slot starts are UTC instants; people read them in London time. On the autumn change the
// hour 01:00-02:00 happens twice, so those slots also say GMT or BST.
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
const zoneFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'short' })
const localTime = iso => timeFormat.format(new Date(iso))
const zoneOf = iso => zoneFormat.formatToParts(new Date(iso)).find(p => p.type === 'timeZoneName')?.value ?? ''

// ---------- DOM helpers ----------

function svg (tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue
    node.setAttribute(k, String(v))
  }
  for (const c of children) node.append(c)
  return node
}

/** An SVG <title>: the tooltip of its parent. */
const tip = text => svg('title', {}, text)

// ---------- scales ----------

/** A round number ≥ x: 1, 2, 2.5 or 5 times a power of ten. */
function niceCeil (x) {
  if (!(x > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x * 0.999999) return m * p
  return 10 * p
}

/** Domain [lo, hi] rounded outwards, always containing 0 (prices can be negative). */
function niceDomain (values) {
  const finite = values.filter(v => Number.isFinite(v))
  const max = Math.max(0, ...finite)
  const min = Math.min(0, ...finite)
  const hi = max > 0 ? niceCeil(max) : (min < 0 ? 0 : 1)
  const lo = min < 0 ? -niceCeil(-min) : 0
  return [lo, hi]
}

const linear = ([d0, d1], [r0, r1]) => v => r0 + (v - d0) / (d1 - d0 || 1) * (r1 - r0)

function ticksOf ([lo, hi]) {
  return lo < 0 ? [lo, 0, hi] : [0, hi / 2, hi]
}

function plotWidth (plot) {
  return Math.max(280, Math.floor(plot.clientWidth || plot.parentElement?.clientWidth || 320))
}

// ---------- charts ----------

/**
 * Bars per day, oldest on the left. `points`: [{ date, value, incomplete }], one per date of
 * the range; value null (a day without data) leaves a gap rather than closing it up. `fuel`
 * colours the bars (import, export, gas); with `empty`, a range where no day has a value
 * other than 0 (a household without that meter) shows that sentence instead of flat bars.
 */
function drawBarChart (plot, points, { unit, format, fuel = 'import', empty }) {
  plot.replaceChildren()
  if (points.length === 0) return
  if (empty !== undefined && points.every(p => !p.value)) {
    plot.append(el('p', { className: 'note empty-chart', text: empty }))
    return
  }
  const width = plotWidth(plot)
  const height = 150
  const m = { top: 10, right: 8, bottom: 22, left: 46 }
  const domain = niceDomain(points.map(p => p.value ?? 0))
  const y = linear(domain, [height - m.bottom, m.top])
  const band = (width - m.left - m.right) / points.length
  const gap = band > 6 ? Math.min(4, band * 0.2) : 0
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'bars' })
  chart.append(tip(`${unit} per day, ${showDay(points[0].date)} to ${showDay(points[points.length - 1].date)}`))
  for (const t of ticksOf(domain)) {
    chart.append(svg('line', { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t), class: t === 0 ? 'axis' : 'grid' }))
    chart.append(svg('text', { x: m.left - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'tick' }, format(t)))
  }
  points.forEach((p, i) => {
    if (p.value === null) return
    const x = m.left + i * band + gap / 2
    const top = y(Math.max(0, p.value))
    const h = Math.max(p.value === 0 ? 0 : 1, Math.abs(y(p.value) - y(0)))
    const bar = svg('rect', { x, y: p.value >= 0 ? top : y(0), width: Math.max(1, band - gap), height: h, class: `bar ${fuel}${p.incomplete ? ' incomplete' : ''}` })
    bar.append(tip(`${showDay(p.date)}: ${format(p.value)} ${unit}${p.incomplete ? ' (incomplete)' : ''}`))
    chart.append(bar)
  })
  // Date labels: first and last day, plus the middle one when there is room.
  const labelAt = [0, points.length - 1]
  if (width > 420 && points.length > 4) labelAt.splice(1, 0, Math.floor((points.length - 1) / 2))
  for (const i of new Set(labelAt)) {
    const cx = m.left + (i + 0.5) * band
    const anchor = i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'
    const x = anchor === 'start' ? m.left : anchor === 'end' ? width - m.right : cx
    chart.append(svg('text', { x, y: height - 6, 'text-anchor': anchor, class: 'tick' }, showShortDay(points[i].date)))
  }
  plot.append(chart)
}

/** Half-hour use (bars, left axis) with price and carbon intensity lines, each on its own scale. */
function drawDayChart (plot, day) {
  plot.replaceChildren()
  const slots = day.slots
  const width = plotWidth(plot)
  const height = width < 480 ? 220 : 260
  const m = { top: 12, right: 76, bottom: 26, left: 46 }
  const usageDomain = niceDomain(slots.map(s => s.usage_kwh ?? 0))
  const priceDomain = niceDomain(slots.map(s => s.price_inc_vat ?? 0))
  const intensityDomain = niceDomain(slots.map(s => s.intensity ?? 0))
  const bottom = height - m.bottom
  const yUse = linear(usageDomain, [bottom, m.top])
  const yPrice = linear(priceDomain, [bottom, m.top])
  const yCo2 = linear(intensityDomain, [bottom, m.top])
  const band = (width - m.left - m.right) / slots.length
  const cx = i => m.left + (i + 0.5) * band
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'day' })
  chart.append(tip(`Half-hour use, price and carbon intensity on ${showDay(day.date)}`))

  const missing = new Set(day.missing)
  slots.forEach((s, i) => {
    if (missing.has(s.start)) chart.append(svg('rect', { x: m.left + i * band, y: m.top, width: band, height: bottom - m.top, class: 'missing-slot' }))
  })
  // Gridlines follow the usage axis; the right axis labels price and intensity at the same heights.
  const ticks = [0, 0.5, 1]
  for (const f of ticks) {
    const u = usageDomain[0] + f * (usageDomain[1] - usageDomain[0])
    const yy = yUse(u)
    chart.append(svg('line', { x1: m.left, x2: width - m.right, y1: yy, y2: yy, class: f === 0 ? 'axis' : 'grid' }))
    chart.append(svg('text', { x: m.left - 6, y: yy + 4, 'text-anchor': 'end', class: 'tick usage' }, fmt2(u)))
    const p = priceDomain[0] + f * (priceDomain[1] - priceDomain[0])
    const c = intensityDomain[0] + f * (intensityDomain[1] - intensityDomain[0])
    chart.append(svg('text', { x: width - m.right + 6, y: yy - 1, class: 'tick price' }, `${fmt1(p)}p`))
    chart.append(svg('text', { x: width - m.right + 6, y: yy + 11, class: 'tick intensity' }, `${fmt0(c)}g`))
  }
  if (priceDomain[0] < 0) chart.append(svg('line', { x1: m.left, x2: width - m.right, y1: yPrice(0), y2: yPrice(0), class: 'zero-price' }))

  const gap = band > 5 ? Math.min(3, band * 0.25) : 0
  slots.forEach((s, i) => {
    if (s.usage_kwh === null) return
    const h = Math.max(s.usage_kwh > 0 ? 1 : 0, yUse(0) - yUse(s.usage_kwh))
    const bar = svg('rect', { x: m.left + i * band + gap / 2, y: yUse(0) - h, width: Math.max(1, band - gap), height: h, class: 'bar' })
    bar.append(tip(slotTip(s)))
    chart.append(bar)
  })
  // Lines break where a value is missing; intensity is dashed where it is a forecast.
  chart.append(...lineSegments(slots, s => s.price_inc_vat, cx, yPrice, () => 'line price'))
  chart.append(...lineSegments(slots, s => s.intensity, cx, yCo2, s => s.intensity_is_forecast ? 'line intensity forecast' : 'line intensity'))

  // Hour labels at London 00:00, 06:00, 12:00, 18:00 (found by local time, so DST days are right).
  slots.forEach((s, i) => {
    const t = localTime(s.start)
    if (!['00:00', '06:00', '12:00', '18:00'].includes(t)) return
    chart.append(svg('line', { x1: m.left + i * band, x2: m.left + i * band, y1: bottom, y2: bottom + 4, class: 'axis' }))
    chart.append(svg('text', { x: m.left + i * band, y: height - 8, 'text-anchor': i === 0 ? 'start' : 'middle', class: 'tick' }, t))
  })
  // Transparent hit areas: a tooltip per slot even where there is no bar.
  slots.forEach((s, i) => {
    const hit = svg('rect', { x: m.left + i * band, y: m.top, width: band, height: bottom - m.top, class: 'hit' })
    hit.append(tip(slotTip(s)))
    chart.append(hit)
  })
  plot.append(chart)
}

function lineSegments (slots, value, x, y, classOf) {
  const out = []
  for (let i = 0; i + 1 < slots.length; i++) {
    const a = value(slots[i])
    const b = value(slots[i + 1])
    if (a === null || b === null) continue
    out.push(svg('line', { x1: x(i), y1: y(a), x2: x(i + 1), y2: y(b), class: classOf(slots[i + 1]) }))
  }
  // A lone value between gaps still shows, as a dot.
  slots.forEach((s, i) => {
    const v = value(s)
    if (v === null) return
    const prev = i > 0 ? value(slots[i - 1]) : null
    const next = i + 1 < slots.length ? value(slots[i + 1]) : null
    if (prev === null && next === null) out.push(svg('circle', { cx: x(i), cy: y(v), r: 2.5, class: classOf(s) }))
  })
  return out
}

function slotLabel (s) {
  const zone = zoneOf(s.start)
  return `${localTime(s.start)} ${zone}`
}

function slotTip (s) {
  const parts = [slotLabel(s)]
  parts.push(`use ${s.usage_kwh === null ? 'missing' : `${fmt2(s.usage_kwh)} kWh`}`)
  parts.push(`price ${s.price_inc_vat === null ? 'missing' : `${fmt2(s.price_inc_vat)} p/kWh`}`)
  parts.push(`intensity ${s.intensity === null ? 'missing' : `${fmt0(s.intensity)} g/kWh${s.intensity_is_forecast ? ' (forecast)' : ''}`}`)
  // The other meters only when they have something to say: a household without them sees no more.
  if (s.export_kwh) parts.push(`exported ${fmt2(s.export_kwh)} kWh at ${fmt2(s.export_rate)} p/kWh`)
  if (s.gas_kwh) parts.push(`gas ${fmt2(s.gas_kwh)} kWh at ${fmt2(s.gas_rate_inc_vat)} p/kWh`)
  return parts.join(', ')
}

// ---------- ahead ----------

const weekdayTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
const weekdayOnly = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short' })
const WINDOWS = [['cheapest', 'Cheapest'], ['greenest', 'Greenest'], ['balanced', 'Balanced']]

/**
 * A window's start–end in London time: "Sat 14:00–16:00", the end's day when it differs
 * ("Sat 23:30–Sun 01:30"), and GMT/BST when the clocks change inside it. Pure: exported for tests.
 */
export function windowLabel (startIso, endIso) {
  const start = new Date(startIso)
  const end = new Date(endIso)
  const zones = zoneOf(startIso) !== zoneOf(endIso)
  const from = `${weekdayTime.format(start)}${zones ? ` ${zoneOf(startIso)}` : ''}`
  const sameDay = weekdayOnly.format(start) === weekdayOnly.format(end)
  const to = `${sameDay ? timeFormat.format(end) : weekdayTime.format(end)}${zones ? ` ${zoneOf(endIso)}` : ''}`
  return `${from}–${to}`.replace(',', '')
}

/**
 * The next 48 hours: price (left axis) and carbon intensity (right axis) as lines, one point
 * per half-hour at its middle, breaking where a value is missing; the best windows shaded and
 * drawn as labelled bars above the plot.
 */
function drawAheadChart (plot, ahead) {
  plot.replaceChildren()
  const from = Date.parse(ahead.from)
  const to = Date.parse(ahead.to)
  const bySlot = new Map(ahead.slots.map(s => [Date.parse(s.start), s]))
  const slots = []
  for (let ms = from; ms < to; ms += SLOT_MS) slots.push(bySlot.get(ms) ?? { start: new Date(ms).toISOString(), price_inc_vat: null, intensity: null, index: null })
  const width = plotWidth(plot)
  const height = width < 480 ? 240 : 280
  const m = { top: 46, right: 48, bottom: 26, left: 46 }
  const bottom = height - m.bottom
  const priceDomain = niceDomain(slots.map(s => s.price_inc_vat ?? 0))
  const intensityDomain = niceDomain(slots.map(s => s.intensity ?? 0))
  const yPrice = linear(priceDomain, [bottom, m.top])
  const yCo2 = linear(intensityDomain, [bottom, m.top])
  const x = linear([from, to], [m.left, width - m.right])
  const cx = i => x(Date.parse(slots[i].start) + SLOT_MS / 2)
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'ahead-plot' })
  chart.append(tip(`Price and carbon intensity for the next 48 hours from ${weekdayTime.format(new Date(from)).replace(',', '')} ${zoneOf(ahead.from)}`))

  // The best windows: a faint band over the plot and a labelled bar in its own lane above it.
  WINDOWS.forEach(([key, label], lane) => {
    const w = ahead.best[key]
    if (w === null || w === undefined) return
    const x0 = x(Date.parse(w.start))
    const x1 = x(Date.parse(w.end))
    const band = svg('rect', { x: x0, y: m.top, width: Math.max(1, x1 - x0), height: bottom - m.top, class: `window-band ${key}` })
    const title = `${label}: ${windowLabel(w.start, w.end)}, ${fmt2(w.avg_price_inc_vat)} p/kWh, ${fmt0(w.avg_intensity)} gCO₂/kWh`
    band.append(tip(title))
    chart.append(band)
    const y = 4 + lane * 13
    const bar = svg('rect', { x: x0, y, width: Math.max(2, x1 - x0), height: 10, rx: 2, class: `window-bar ${key}` })
    bar.append(tip(title))
    chart.append(bar)
    const right = x1 + 4 + label.length * 6.5 < width
    chart.append(svg('text', { x: right ? x1 + 4 : x0 - 4, y: y + 9, 'text-anchor': right ? 'start' : 'end', class: `tick window-label ${key}` }, label))
  })

  for (const f of [0, 0.5, 1]) {
    const p = priceDomain[0] + f * (priceDomain[1] - priceDomain[0])
    const c = intensityDomain[0] + f * (intensityDomain[1] - intensityDomain[0])
    const yy = yPrice(p)
    chart.append(svg('line', { x1: m.left, x2: width - m.right, y1: yy, y2: yy, class: f === 0 ? 'axis' : 'grid' }))
    chart.append(svg('text', { x: m.left - 6, y: yy + 4, 'text-anchor': 'end', class: 'tick price' }, `${fmt1(p)}p`))
    chart.append(svg('text', { x: width - m.right + 6, y: yy + 4, class: 'tick intensity' }, `${fmt0(c)}g`))
  }
  if (priceDomain[0] < 0) chart.append(svg('line', { x1: m.left, x2: width - m.right, y1: yPrice(0), y2: yPrice(0), class: 'zero-price' }))

  // London midnight and noon: a tick and the weekday at midnight (found by local time, so a
  // 23- or 25-hour day is right).
  slots.forEach((s, i) => {
    const t = localTime(s.start)
    if (t !== '00:00' && t !== '12:00') return
    const xx = x(Date.parse(s.start))
    chart.append(svg('line', { x1: xx, x2: xx, y1: m.top, y2: bottom, class: t === '00:00' ? 'midnight' : 'grid' }))
    chart.append(svg('line', { x1: xx, x2: xx, y1: bottom, y2: bottom + 4, class: 'axis' }))
    chart.append(svg('text', { x: xx, y: height - 8, 'text-anchor': 'middle', class: 'tick' }, t === '00:00' ? weekdayOnly.format(new Date(s.start)) : '12:00'))
  })

  chart.append(...lineSegments(slots, s => s.price_inc_vat, cx, yPrice, () => 'line price'))
  chart.append(...lineSegments(slots, s => s.intensity, cx, yCo2, () => 'line intensity'))

  const now = Date.parse(ahead.now)
  if (now >= from && now < to) chart.append(svg('line', { x1: x(now), x2: x(now), y1: m.top, y2: bottom, class: 'now' }))
  const band = (width - m.left - m.right) / slots.length
  slots.forEach((s, i) => {
    const hit = svg('rect', { x: x(Date.parse(s.start)), y: m.top, width: band, height: bottom - m.top, class: 'hit' })
    hit.append(tip(`${weekdayTime.format(new Date(s.start)).replace(',', '')} ${zoneOf(s.start)}: price ${s.price_inc_vat === null ? 'not published yet' : `${fmt2(s.price_inc_vat)} p/kWh`}, intensity ${s.intensity === null ? 'unknown' : `${fmt0(s.intensity)} gCO₂/kWh${s.index ? ` (${s.index})` : ''}`}`))
    chart.append(hit)
  })
  plot.append(chart)
}

const FUEL_ORDER = ['gas', 'coal', 'nuclear', 'wind', 'solar', 'hydro', 'biomass', 'imports', 'other']

function drawMix (bar, list, mix) {
  bar.replaceChildren()
  list.replaceChildren()
  const fuels = Object.entries(mix).filter(([, v]) => Number.isFinite(v)).sort((a, b) => b[1] - a[1])
  if (fuels.length === 0) return
  const width = plotWidth(bar)
  const height = 26
  const total = fuels.reduce((s, [, v]) => s + v, 0) || 1
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'mixbar' })
  chart.append(tip(fuels.map(([f, v]) => `${f} ${fmt1(v)}%`).join(', ')))
  let x = 0
  for (const [fuel, v] of fuels) {
    const w = v / total * width
    const part = svg('rect', { x, y: 0, width: Math.max(0, w), height, class: `fuel fuel-${fuelClass(fuel)}` })
    part.append(tip(`${fuel}: ${fmt1(v)}%`))
    chart.append(part)
    x += w
  }
  bar.append(chart)
  for (const [fuel, v] of fuels) {
    list.append(el('li', {}, el('span', { className: `key fuel-${fuelClass(fuel)}` }), el('span', { className: 'fuel-name', text: fuel }), el('span', { className: 'num', text: `${fmt1(v)}%` })))
  }
}

const fuelClass = fuel => FUEL_ORDER.includes(fuel) ? fuel : 'other'

// ---------- data ----------

async function getJson (url) {
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10000) })
  const body = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(body.error ?? `${url} answered ${res.status}`)
  return body
}

function showError (message) {
  const box = $('error')
  box.textContent = message
  box.hidden = message === ''
}

// ---------- range view ----------

const state = { range: null, day: null, lastDay: null, ahead: null }

async function loadRange (from, to) {
  const params = new URLSearchParams()
  if (from) params.set('from', from)
  if (to) params.set('to', to)
  const query = params.toString()
  const range = await getJson(`/api/days${query ? `?${query}` : ''}`)
  state.range = range
  renderRange()
  // Computed vs billed over the same dates; its own note says when it cannot be read.
  showBilledPanel(range.from, range.to).catch(err => { $('billed-note').textContent = `Could not load the billed figures: ${err.message}` })
}

function renderRange () {
  const { from, to, days } = state.range
  $('from').value = from
  $('to').value = to
  $('range-note').textContent = days.length === 0
    ? `No days between ${showDay(from)} and ${showDay(to)}.`
    : `${days.length} day${days.length === 1 ? '' : 's'} with data from ${showDay(from)} to ${showDay(to)}.`

  const sum = key => days.reduce((s, d) => s + (d[key] ?? 0), 0)
  const kwh = sum('kwh')
  const cost = sum('cost_inc_vat')
  const carbon = sum('carbon_g')
  // The bill over the range: the days whose bill is known (a day joined before standing
  // charges has none); the tile says how many are left out. bill_inc_vat already takes the
  // export earnings off and adds gas (DESIGN.md "The account").
  const bill = sum('bill_inc_vat')
  const unbilled = days.filter(d => d.bill_inc_vat === null || d.bill_inc_vat === undefined).length
  const gas = sum('gas_cost_inc_vat') + sum('gas_standing_charge_inc_vat')
  // Regional carbon (your region's forecast) beside the national figure, over the days that
  // have it: a day joined without a region to ask for has none. Its average is weighted by the
  // kWh of the half-hours the regional figure covers (carbon ÷ average: a day's regional data
  // may lack some half-hours).
  const regionalDays = days.filter(d => d.carbon_g_regional !== null && d.carbon_g_regional !== undefined)
  const regional = regionalDays.reduce((n, d) => n + d.carbon_g_regional, 0)
  const regionalKwh = regionalDays.reduce((n, d) => n + (d.avg_intensity_regional > 0 ? d.carbon_g_regional / d.avg_intensity_regional : d.kwh ?? 0), 0)
  const withoutRegional = days.length - regionalDays.length
  const totals = $('totals')
  totals.replaceChildren()
  if (days.length > 0) {
    // [label, value, second line]; a household without export or gas sees zeros there.
    for (const [label, value, detail, id] of [
      ['Bill, export credited', unbilled === days.length ? '–' : `£${fmt2(bill / 100)}`, unbilled > 0 && unbilled < days.length ? `${unbilled} day${unbilled === 1 ? '' : 's'} without a standing charge left out` : undefined, 'total-bill'],
      ['Imported', `${fmt2(kwh)} kWh`, `£${fmt2(cost / 100)} unit cost`, 'total-import'],
      ['Exported', `${fmt2(sum('export_kwh'))} kWh`, `£${fmt2(sum('export_value') / 100)} earned`, 'total-export'],
      ['Gas', `${fmt2(sum('gas_kwh'))} kWh`, `£${fmt2(gas / 100)} incl. standing charge`, 'total-gas'],
      ['Electricity CO₂, national', `${fmt2(carbon / 1000)} kg`, 'national grid, actual else forecast', 'total-co2'],
      ['Electricity CO₂, regional', regionalDays.length === 0 ? '–' : `${fmt2(regional / 1000)} kg`,
        `your region, forecast${regionalDays.length > 0 && withoutRegional > 0 ? `; ${withoutRegional} day${withoutRegional === 1 ? '' : 's'} without it left out` : ''}`, 'total-co2-regional'],
      ['Average price', kwh > 0 ? `${fmt2(cost / kwh)} p/kWh` : '–', undefined, 'total-price'],
      ['Average intensity', kwh > 0 ? `${fmt0(carbon / kwh)} g/kWh` : '–', `national; regional ${regionalKwh > 0 ? `${fmt0(regional / regionalKwh)} g/kWh` : '–'}`, 'total-intensity']
    ]) {
      const tile = el('div', { id }, el('dt', { text: label }), el('dd', { text: value }))
      if (detail !== undefined) tile.append(el('dd', { className: 'detail', text: detail }))
      totals.append(tile)
    }
  }

  // Every date of the range, oldest first, so days without data show as gaps.
  const byDate = new Map(days.map(d => [d.date, d]))
  const dates = []
  for (let ms = utcOf(from); ms <= utcOf(to); ms += 86400000) dates.push(new Date(ms).toISOString().slice(0, 10))
  const points = key => dates.map(date => {
    const d = byDate.get(date)
    return { date, value: d === undefined ? null : key(d), incomplete: d !== undefined && !d.complete }
  })
  drawBarChart($('chart-kwh').querySelector('.plot'), points(d => d.kwh), { unit: 'kWh imported', format: fmt2 })
  drawBarChart($('chart-export').querySelector('.plot'), points(d => d.export_kwh), { unit: 'kWh exported', format: fmt2, fuel: 'export', empty: 'Nothing exported in these days (0 kWh).' })
  drawBarChart($('chart-gas').querySelector('.plot'), points(d => d.gas_kwh), { unit: 'kWh of gas', format: fmt2, fuel: 'gas', empty: 'No gas used in these days (0 kWh).' })
  drawBarChart($('chart-cost').querySelector('.plot'), points(d => per(d.cost_inc_vat, 100)), { unit: '£', format: fmt2 })
  drawBarChart($('chart-co2').querySelector('.plot'), points(d => per(d.carbon_g, 1000)), { unit: 'kg CO₂', format: fmt2 })

  const body = $('days-body')
  body.replaceChildren()
  for (const d of days) {
    const dateCell = el('td', {}, el('span', { text: showDay(d.date) }))
    // Money never waits for carbon: a finished bill with carbon still to come says so apart.
    if (!d.complete) dateCell.append(' ', el('span', { className: 'badge', text: d.bill_complete ? 'bill final, carbon incomplete' : 'incomplete', title: dayGaps(d) }))
    const row = el('tr', { tabindex: 0, 'data-date': d.date, className: d.complete ? 'day-row' : 'day-row incomplete', 'aria-label': `${showDay(d.date)}: ${fmt2(d.kwh)} kWh, £${fmt2(per(d.cost_inc_vat, 100))}, bill £${fmt2(per(d.bill_inc_vat, 100))}, ${fmt2(per(d.carbon_g, 1000))} kg CO₂ national, ${fmt2(per(d.carbon_g_regional, 1000))} kg regional${d.complete ? '' : ', incomplete'}. Press Enter for half-hours.` },
      dateCell,
      el('td', { className: 'num kwh', text: fmt2(d.kwh) }),
      el('td', { className: 'num cost', text: fmt2(per(d.cost_inc_vat, 100)) }),
      el('td', { className: 'num bill', text: fmt2(per(d.bill_inc_vat, 100)) }),
      el('td', { className: 'num co2', text: fmt2(per(d.carbon_g, 1000)) }),
      el('td', { className: 'num co2-regional', text: fmt2(per(d.carbon_g_regional, 1000)) }),
      el('td', { className: 'num wide intensity', text: fmt0(d.avg_intensity) }),
      el('td', { className: 'num wide intensity-regional', text: fmt0(d.avg_intensity_regional) }),
      el('td', { className: 'num wide', text: `${d.slots_joined}/${d.slots_expected}` }))
    body.append(row)
  }
}

function onRowKey (event) {
  const row = event.target.closest('tr.day-row')
  if (row === null) return
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault()
    openDay(row.dataset.date)
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault()
    const next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling
    next?.focus()
  } else if (event.key === 'Home' || event.key === 'End') {
    event.preventDefault()
    const rows = row.parentElement.children
    rows[event.key === 'Home' ? 0 : rows.length - 1]?.focus()
  }
}

// ---------- day view ----------

async function loadDay (date) {
  state.day = await getJson(`/api/days/${encodeURIComponent(date)}`)
  renderDay()
  showDayBilled(date, state.day.summary).catch(err => {
    $('day-billed').hidden = false
    $('day-billed').textContent = `Could not load the billed figures: ${err.message}`
  })
}

// The Carbon Intensity history starts 2017-09-26 (national): earlier days have no carbon figures.
const CARBON_HISTORY = '2017-09-26'

/** What a day still lacks, in words: readings by meter, carbon. */
function dayGaps (d) {
  const gaps = []
  if ((d.missing_readings ?? []).length > 0) gaps.push(`readings missing: ${d.missing_readings.join(', ')} (the standing charges are owed regardless)`)
  if (d.carbon_g === null) gaps.push(d.date < CARBON_HISTORY ? `no carbon data before ${showDay(CARBON_HISTORY)}` : 'no carbon data yet')
  else if (d.carbon_slots !== null && d.carbon_slots !== undefined && d.carbon_slots < d.slots_expected) gaps.push(`carbon for ${d.carbon_slots} of ${d.slots_expected} half-hours`)
  return gaps.join('; ')
}

function renderDay () {
  const day = state.day
  const s = day.summary
  $('day-title').textContent = longDayFormat.format(utcOf(day.date))
  const facts = []
  if (s !== null) {
    facts.push(`${fmt2(s.kwh)} kWh imported`, `£${fmt2(per(s.cost_inc_vat, 100))}`, `${fmt2(per(s.carbon_g, 1000))} kg CO₂`)
    if (s.avg_intensity !== null) facts.push(`${fmt0(s.avg_intensity)} g/kWh average`)
    facts.push(`${fmt2(s.export_kwh)} kWh exported`, `${fmt2(s.gas_kwh)} kWh gas`)
    facts.push(`${s.slots_joined} of ${s.slots_expected} half-hours joined`)
    if (s.forecast_slots > 0) facts.push(`${s.forecast_slots} with forecast intensity`)
    // Intelligent Octopus: half-hours a smart charge at home touched, priced off-peak as Octopus bills them.
    if (s.dispatch_kwh > 0) facts.push(`${fmt2(s.dispatch_kwh)} kWh in smart-charge half-hours at the off-peak rate, £${fmt2(per(s.dispatch_saving, 100))} off`)
    if (s.dispatch_note) facts.push(s.dispatch_note)
  } else {
    facts.push(`Not joined yet: ${day.slots_expected - day.missing.length} of ${day.slots_expected} half-hours have every source`)
  }
  $('day-facts').textContent = facts.join(' · ')
  // The bill (DESIGN.md "The account"): unit cost + the standing charge in force at the day's
  // first slot + gas (its unit cost and standing charge) − what the export earned; unknown for
  // a day joined before standing charges were fetched. Gas and export show as £0.00 for a
  // household without them, so the sum always reads the same way.
  const bill = $('day-bill')
  bill.hidden = s === null
  if (s !== null) {
    const gas = s.gas_cost_inc_vat === null || s.gas_standing_charge_inc_vat === null ? null : s.gas_cost_inc_vat + s.gas_standing_charge_inc_vat
    bill.textContent = s.bill_inc_vat === null
      ? `Bill unknown: no standing charge for this day${s.import_tariff_code ? ` (tariff ${s.import_tariff_code})` : ''}`
      : `Unit cost £${fmt2(per(s.cost_inc_vat, 100))} + standing charge £${fmt2(per(s.standing_charge_inc_vat, 100))}` +
        ` + gas £${fmt2(per(gas, 100))} − export £${fmt2(per(s.export_value, 100))} = bill £${fmt2(per(s.bill_inc_vat, 100))}` +
        `${s.import_tariff_code ? ` · tariff ${s.import_tariff_code}` : ''}`
  }
  // National and regional carbon side by side, each saying what it is.
  const carbonLine = $('day-carbon')
  carbonLine.hidden = s === null
  if (s !== null) {
    const regionalKnown = s.carbon_g_regional !== null && s.carbon_g_regional !== undefined
    const national = s.carbon_g === null
      ? (s.date < CARBON_HISTORY ? `CO₂: none, the Carbon Intensity history starts ${showDay(CARBON_HISTORY)} · ` : 'CO₂ national grid: not in yet · ')
      : `CO₂ national grid (actual else forecast): ${fmt2(per(s.carbon_g, 1000))} kg, ${fmt0(s.avg_intensity)} g/kWh · `
    carbonLine.textContent = national +
      (regionalKnown
        ? `your region (forecast): ${fmt2(per(s.carbon_g_regional, 1000))} kg, ${fmt0(s.avg_intensity_regional)} g/kWh`
        : 'your region: no regional figures for this day') +
      (s.bill_complete ? ' · bill final' : '') + (dayGaps(s) === '' ? '' : ` · ${dayGaps(s)}`)
  }
  // Export and gas are not part of `missing` (the electricity sources): say here when their
  // readings lack half-hours, which leaves the day incomplete.
  const meters = $('day-meters')
  const counts = day.source_slots ?? {}
  const short = [['Export', counts.export], ['Gas', counts.gas]].filter(([, n]) => n !== undefined && n < day.slots_expected)
  meters.hidden = short.length === 0
  meters.textContent = short.map(([name, n]) => `${name} readings: ${n} of ${day.slots_expected} half-hours`).join(' · ')

  drawDayChart($('day-chart').querySelector('.plot'), day)

  // The summary's usage-weighted mix when the day is joined; else the plain mean of its slots.
  let mix = s?.mix ?? {}
  let note = 'Weighted by your use in each half-hour.'
  if (s === null || Object.keys(mix).length === 0) {
    const withMix = day.slots.filter(x => Object.keys(x.mix).length > 0)
    mix = {}
    for (const x of withMix) for (const [f, v] of Object.entries(x.mix)) mix[f] = (mix[f] ?? 0) + v / withMix.length
    note = withMix.length === 0 ? 'No generation mix for this day.' : 'Average of the half-hours (not weighted by use).'
  }
  $('mix-note').textContent = note
  drawMix($('mix-bar'), $('mix-list'), mix)

  const missingBox = $('day-missing')
  missingBox.hidden = day.missing.length === 0
  const list = $('missing-list')
  list.replaceChildren()
  if (day.missing.length > 0) {
    $('missing-note').textContent = `${day.missing.length} of ${day.slots_expected} half-hours lack at least one source (use, price, intensity or mix):`
    const bySlot = new Map(day.slots.map(x => [x.start, x]))
    for (const start of day.missing) {
      const x = bySlot.get(start)
      const lacking = []
      if (x.usage_kwh === null) lacking.push('use')
      if (x.price_inc_vat === null) lacking.push('price')
      if (x.intensity === null) lacking.push('intensity')
      if (Object.keys(x.mix).length === 0) lacking.push('mix')
      list.append(el('li', {}, el('time', { datetime: start, text: slotLabel(x) }), ` (no ${lacking.join(', ')})`))
    }
  }

  const body = $('slot-body')
  body.replaceChildren()
  for (const x of day.slots) {
    body.append(el('tr', { className: day.missing.includes(x.start) ? 'missing-row' : undefined },
      el('th', { scope: 'row' }, el('time', { datetime: x.start, text: slotLabel(x) })),
      el('td', { className: 'num import', text: fmt2(x.usage_kwh) }),
      el('td', { className: 'num export', text: fmt2(x.export_kwh) }),
      el('td', { className: 'num gas', text: fmt2(x.gas_kwh) }),
      el('td', { className: 'num', text: fmt2(x.price_inc_vat) }),
      el('td', { className: 'num', text: x.intensity === null ? '–' : `${fmt0(x.intensity)}${x.intensity_is_forecast ? ' f' : ''}` })))
  }
}

/** Empties the day view while another day loads, so nothing of the previous day shows under its title. */
function clearDay (date) {
  state.day = null
  $('day-title').textContent = longDayFormat.format(utcOf(date))
  $('day-facts').textContent = 'Loading…'
  for (const id of ['mix-bar', 'mix-list', 'missing-list', 'slot-body']) $(id).replaceChildren()
  $('day-chart').querySelector('.plot').replaceChildren()
  $('mix-note').textContent = ''
  $('day-missing').hidden = true
  $('day-bill').hidden = true
  $('day-billed').hidden = true
  $('day-billed-reasons').replaceChildren()
  $('day-carbon').hidden = true
  $('day-meters').hidden = true
}

// ---------- ahead panel ----------

const clockFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })

async function loadAhead () {
  try {
    state.ahead = await getJson(`/api/ahead?hours=${encodeURIComponent($('ahead-hours').value)}`)
  } catch (err) {
    $('ahead-note').textContent = `The forecast cannot be read just now: ${err.message}`
    return
  }
  renderAhead()
}

function renderAhead () {
  const a = state.ahead
  if (a === null) return
  const priced = a.slots.filter(s => s.price_inc_vat !== null).length
  const note = []
  if (a.slots.length === 0) {
    note.push('No forecast yet: the pipeline fetches one at start and every 30 minutes (npm start).')
  } else {
    // Which carbon this is: the household's region when the forecast knows it, else national.
    note.push(a.region === null ? 'Carbon: the national forecast (no region configured).' : `Carbon: the forecast for your region, ${a.region}.`)
    note.push(priced === 0
      ? 'No prices published for these hours yet.'
      : `Prices${a.tariff_code ? ` of ${a.tariff_code}` : ''} for ${priced} of ${a.slots.length} half-hours (Agile publishes tomorrow's around 16:00).`)
    if (a.fetched_at !== null) note.push(`Updated ${clockFormat.format(new Date(a.fetched_at)).replace(',', '')}.`)
  }
  $('ahead-note').textContent = note.join(' ')
  drawAheadChart($('ahead-chart').querySelector('.plot'), a)
  const list = $('ahead-windows')
  if (a.reason !== null) {
    list.replaceChildren(el('li', { className: 'no-window', text: `No best time for ${hoursText(a.hours)}: ${a.reason}` }))
  } else {
    list.replaceChildren(...WINDOWS.map(([key, label]) => {
      const w = a.best[key]
      return el('li', { className: `window ${key}` },
        el('span', { className: `key key-${key}` }),
        el('strong', { text: label }), ' ',
        el('time', { datetime: w.start, text: windowLabel(w.start, w.end) }),
        el('span', { className: 'window-figures', text: ` · ${fmt2(w.avg_price_inc_vat)} p/kWh · ${fmt0(w.avg_intensity)} gCO₂/kWh` }))
    }))
  }
  const weighting = $('ahead-weighting')
  weighting.textContent = `Best start for ${hoursText(a.hours)} (average over the run). Balanced weighs price and carbon 50/50: each is rescaled from 0 (the lowest of the next 48 hours) to 1 (the highest).`
  weighting.title = a.weighting
}

const hoursText = h => h === 0.5 ? '30 minutes' : `${String(h).replace('.5', '½')} hour${h === 1 ? '' : 's'}`

// ---------- navigation (hash routes, so Back works) ----------

function openDay (date) {
  location.hash = `#/day/${date}`
}

function rangeHash () {
  const r = state.range
  return r === null ? '#/' : `#/?from=${r.from}&to=${r.to}`
}

async function route () {
  const hash = location.hash
  // Only '#/…' is a route; anything else (an in-page anchor) leaves the view as it is.
  if (hash !== '' && !hash.startsWith('#/')) return
  const dayMatch = /^#\/day\/(\d{4}-\d{2}-\d{2})$/.exec(hash)
  showError('')
  try {
    if (dayMatch !== null) {
      const date = dayMatch[1]
      $('range-view').hidden = true
      $('months-view').hidden = true
      $('compare-view').hidden = true
      $('ahead').hidden = true
      $('day-view').hidden = false
      if (state.day?.date !== date) clearDay(date)
      await loadDay(date)
      state.lastDay = date
      $('day-title').focus()
      document.title = `${showDay(date)} · Home energy`
    } else {
      const params = new URLSearchParams(hash.replace(/^#\/?\??/, ''))
      $('day-view').hidden = true
      $('range-view').hidden = false
      $('months-view').hidden = false
      $('compare-view').hidden = false
      $('ahead').hidden = false
      // Drawn while hidden (a day opened first), the chart had no width to fit.
      if (state.ahead !== null) renderAhead()
      document.title = 'Home energy'
      const from = params.get('from') ?? undefined
      const to = params.get('to') ?? undefined
      const same = state.range !== null && (from === undefined || from === state.range.from) && (to === undefined || to === state.range.to)
      if (same) renderRange()
      else await loadRange(from, to)
      if (state.lastDay !== null) {
        document.querySelector(`tr[data-date="${state.lastDay}"]`)?.focus()
        state.lastDay = null
      }
    }
  } catch (err) {
    showError(err.message)
  }
}

function submitRange (event) {
  event.preventDefault()
  const from = $('from').value
  const to = $('to').value
  // Checked here too, so a slip shows a message instead of a failed request.
  if (from === '' || to === '') return showError('Choose both dates.')
  if (from > to) return showError(`"From" (${showDay(from)}) is after "To" (${showDay(to)}).`)
  if (utcOf(to) - utcOf(from) >= 366 * 86400000) return showError('Choose at most 366 days.')
  const next = `#/?from=${from}&to=${to}`
  if (location.hash === next) route()
  else location.hash = next
}

// ---------- status strip ----------

function shortGroup (g) {
  if (g.kind === 'sink') return `sink ${g.group.replace(/^energy-sink-/, '')}`
  return g.group.replace(/^energy-/, '').replace(/-processor$/, '')
}

async function refreshStatus () {
  const line = $('status-line')
  const lags = $('status-lags')
  let status
  try {
    status = await getJson('/api/status')
  } catch (err) {
    line.replaceChildren(el('span', { className: 'dot bad' }), ` API unreachable: ${err.message}`)
    lags.replaceChildren()
    showDeadLetters(null)
    showUnpriced(null)
    return
  }
  // The API masks URL credentials in probe errors already (lib/config.ts redactUrls); the
  // tooltip masks them again in case an older API answers.
  const masked = text => String(text).replace(/([a-z][a-z\d+.-]*:\/\/)[^\s"'<>]*@/gi, '$1***@')
  const probe = (name, p) => el('span', { className: 'probe', title: p.ok ? `${name}: ok` : `${name}: ${masked(p.error ?? 'down')}` },
    el('span', { className: p.ok ? 'dot ok' : 'dot bad' }), ` ${name} ${p.ok ? 'ok' : 'down'}`)
  line.replaceChildren(
    probe('Kafka', status.broker), ' ', probe('Registry', status.registry), ' ', probe('Postgres', status.postgres), ' ',
    el('span', { className: 'fact', text: `Last complete day: ${status.newest_complete_date === null ? 'none' : showDay(status.newest_complete_date)}` }))
  // With dead letters the count is the disclosure that opens their list (showDeadLetters).
  if (!showDeadLetters(status)) {
    line.append(' ', el('span', { className: status.dlq_records ? 'fact warn' : 'fact', title: status.dlq_records !== null && !status.dlq_exact ? UPPER_BOUND : undefined, text: `Dead letters: ${records(status.dlq_records, status.dlq_exact)}` }))
  }
  showUnpriced(status)
  lags.replaceChildren(...status.groups.map(g => el('li', {
    className: g.lag ? 'lag behind' : 'lag',
    title: `${g.group} on ${g.topics.join(', ')}${LAG_SOURCES[g.lag_source] ?? ''}${g.lag !== null && !g.lag_exact ? `: ${UPPER_BOUND}` : ''}`
  }, el('span', { text: shortGroup(g) }), ' ', el('strong', { text: records(g.lag, g.lag_exact) }))))
}

// The dead letters: a <details> disclosure (keyboard and screen readers get it for free)
// whose summary is the count, opening the newest ones grouped by component and date, e.g.
// "usage 2024-06-15: ENERGY_NO_DATA usage has no data for 2024-06-15 yet". It stays in the
// page between refreshes, so it stays open and keeps focus; only its contents change.

/**
 * Dead letters (newest first, as /api/status lists them) grouped by component and date, the
 * groups in order of their newest letter; within a group the same code and error once, with
 * how many times and when last. Pure: exported for the unit test.
 */
export function groupDeadLetters (letters) {
  const groups = new Map()
  for (const letter of letters) {
    const key = JSON.stringify([letter.component, letter.date])
    let group = groups.get(key)
    if (group === undefined) {
      const label = [letter.component ?? 'unknown component', letter.date].filter(part => part !== null).join(' ')
      group = { label, entries: [] }
      groups.set(key, group)
    }
    const same = group.entries.find(e => e.code === letter.code && e.error === letter.error)
    if (same === undefined) group.entries.push({ code: letter.code, error: letter.error, count: 1, at: letter.at })
    else same.count++
  }
  return [...groups.values()]
}

const instantFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })

// "ENERGY_NO_DATA usage has no data for 2024-06-15 yet (×2)", when last in the tooltip.
function deadEntry (entry) {
  return el('span', { className: 'dead-entry', title: entry.at === null ? undefined : `last ${instantFormat.format(new Date(entry.at))}` },
    el('code', { text: entry.code }), ` ${entry.error}${entry.count > 1 ? ` (×${entry.count})` : ''}`)
}

/**
 * Days with consumption but no price (before any agreement, rates not published), as runs
 * of consecutive days with the reason when a dead letter gives it; hidden when there are none.
 */
function showUnpriced (status) {
  const box = $('unpriced')
  const unpriced = status?.unpriced ?? null
  if (unpriced === null || unpriced.days === 0) {
    box.hidden = true
    return
  }
  box.hidden = false
  $('unpriced-count').textContent = String(unpriced.days)
  const listed = unpriced.runs.reduce((n, r) => n + r.days, 0)
  $('unpriced-note').textContent = listed < unpriced.days
    ? `Days with consumption but no price: the newest ${unpriced.runs.length} runs (${listed} of ${unpriced.days} days).`
    : 'Days with consumption but no price, newest first.'
  $('unpriced-list').replaceChildren(...unpriced.runs.map(run => el('li', { className: 'dead-group' },
    el('strong', { text: run.from === run.to ? showDay(run.from) : `${showDay(run.from)} – ${showDay(run.to)} (${run.days} days)` }),
    ': ', el('span', { text: run.reason ?? 'no reason among the newest dead letters (see energy.dlq)' }))))
}

/** Shows the dead-letter disclosure for a status with dead letters (true), else hides it (false). */
function showDeadLetters (status) {
  const box = $('dead-letters')
  const letters = status?.dead_letters ?? null
  if (status === null || !(status.dlq_records > 0 || (letters !== null && letters.length > 0))) {
    box.hidden = true
    box.open = false
    return false
  }
  box.hidden = false
  const summary = $('dead-summary')
  $('dead-count').textContent = records(status.dlq_records, status.dlq_exact)
  if (status.dlq_records !== null && !status.dlq_exact) summary.title = UPPER_BOUND
  else summary.removeAttribute('title')
  const total = status.dlq_records
  $('dead-note').textContent = letters === null
    ? 'The dead letters cannot be read just now.'
    : total !== null && total > letters.length
      ? `The newest ${letters.length} of ${records(total, status.dlq_exact)}, by component and date, newest first.`
      : 'By component and date, newest first.'
  $('dead-list').replaceChildren(...groupDeadLetters(letters ?? []).map(group => el('li', { className: 'dead-group' },
    el('strong', { text: `${group.label}:` }), ' ',
    ...(group.entries.length === 1
      ? [deadEntry(group.entries[0])]
      : [el('ul', {}, ...group.entries.map(e => el('li', {}, deadEntry(e))))]))))
  return true
}

// The API counts records up to a bound; past it (or when counting failed) it reports offsets,
// which are at least the records (markers and aborted records take offsets too).
const UPPER_BOUND = 'at most this many records: offsets, too many to count just now'

// Where a group's lag comes from (/api/status lag_source).
const LAG_SOURCES = {
  task: ', as its running tasks count it',
  broker: ', counted from outside: no task of it is running',
  mixed: ', as its running tasks count it, and from outside for partitions none of them owns'
}

function records (n, exact) {
  if (n === null) return '?'
  return exact ? String(n) : `≤${n}`
}

// ---------- start ----------

function redrawCharts () {
  if (!$('ahead').hidden && state.ahead !== null) renderAhead()
  if (!$('range-view').hidden && state.range !== null) renderRange()
  if (!$('day-view').hidden && state.day !== null) renderDay()
}

function start () {
  // The skip link moves focus without touching the hash, which holds the route.
  document.querySelector('.skip').addEventListener('click', event => {
    event.preventDefault()
    $('main').focus()
  })
  $('range-form').addEventListener('submit', submitRange)
  $('latest').addEventListener('click', () => {
    state.range = null
    if (location.hash === '#/' || location.hash === '') route()
    else location.hash = '#/'
  })
  $('back').addEventListener('click', () => { location.hash = rangeHash() })
  const body = $('days-body')
  body.addEventListener('click', event => {
    const row = event.target.closest('tr.day-row')
    if (row !== null) openDay(row.dataset.date)
  })
  body.addEventListener('keydown', onRowKey)
  document.addEventListener('keydown', event => {
    if (event.key === 'Escape' && !$('day-view').hidden) location.hash = rangeHash()
  })
  // Escape inside the open dead-letter list closes it (and only it), focus back on its summary.
  $('dead-letters').addEventListener('keydown', event => {
    if (event.key !== 'Escape' || !$('dead-letters').open) return
    event.stopPropagation()
    $('dead-letters').open = false
    $('dead-summary').focus()
  })
  window.addEventListener('hashchange', route)

  let lastWidth = $('main').clientWidth
  new ResizeObserver(() => {
    const w = $('main').clientWidth
    if (w !== lastWidth) {
      lastWidth = w
      redrawCharts()
    }
  }).observe($('main'))

  $('ahead-hours').addEventListener('change', loadAhead)

  route()
  refreshStatus()
  setInterval(refreshStatus, STATUS_EVERY_MS)
  loadAhead()
  setInterval(loadAhead, AHEAD_EVERY_MS)
}

// Only in a page: the unit test imports this module for its pure functions.
if (typeof document !== 'undefined') start()

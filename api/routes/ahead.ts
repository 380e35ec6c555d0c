import type { Pool } from '../../lib/db.ts'
import { isoUtc, SLOT_MS } from '../../lib/london-day.ts'
import { bestWindows, parseHours, WEIGHTING, type AheadWindow } from '../ahead.ts'
import { forecastBetween } from '../queries.ts'
import type { ApiApp } from '../types.ts'

// GET /api/ahead?hours=H: the next 48 hours from energy_usage.forecast (the forecast component's
// table, never the settled ones) and the best start times for a run of H hours. Only slots from
// the current half-hour on are read: a slot that has begun is history, settled once its day is
// seeded (docs/api.md).

const HORIZON_SLOTS = 96

export interface AheadSlotResponse {
  start: string
  end: string
  /** p/kWh including VAT; null where not published yet. */
  price_inc_vat: number | null
  /** Forecast gCO2/kWh; null when unknown. */
  intensity: number | null
  index: string | null
}

export interface AheadResponse {
  now: string
  hours: number
  /** The current half-hour's start and 48 hours on: the span the slots are read from. */
  from: string
  to: string
  /** Short name of the region the intensity is for (the first slot's); null: national, or no forecast. */
  region: string | null
  /** The first priced slot's tariff; null when none is priced. */
  tariff_code: string | null
  /** When the newest of the slots was fetched; null when there are none. */
  fetched_at: string | null
  slots: AheadSlotResponse[]
  best: { cheapest: AheadWindow | null, greenest: AheadWindow | null, balanced: AheadWindow | null }
  /** Why best is all null; null when there are windows. */
  reason: string | null
  weighting: string
}

const NULLABLE_NUMBER = { type: ['number', 'null'] } as const
const NULLABLE_STRING = { type: ['string', 'null'] } as const
const WINDOW = {
  anyOf: [
    {
      type: 'object',
      required: ['start', 'end', 'avg_price_inc_vat', 'avg_intensity'],
      properties: { start: { type: 'string' }, end: { type: 'string' }, avg_price_inc_vat: { type: 'number' }, avg_intensity: { type: 'number' } }
    },
    { type: 'null' }
  ]
} as const
const ERROR = { type: 'object', properties: { error: { type: 'string' } } } as const

const AHEAD_SCHEMA = {
  summary: 'The next 48 hours: price, carbon and the best times to run an appliance',
  description: 'From energy.forecast: per half-hour the price and the regional carbon forecast, and the cheapest, greenest and balanced windows of the asked length.',
  tags: ['ahead'],
  // A string: parseHours checks it and says what it takes, like the date parameters.
  querystring: { type: 'object', properties: { hours: { type: 'string' } } },
  response: {
    200: {
      type: 'object',
      required: ['now', 'hours', 'from', 'to', 'region', 'tariff_code', 'fetched_at', 'slots', 'best', 'reason', 'weighting'],
      properties: {
        now: { type: 'string' },
        hours: { type: 'number' },
        from: { type: 'string' },
        to: { type: 'string' },
        region: NULLABLE_STRING,
        tariff_code: NULLABLE_STRING,
        fetched_at: NULLABLE_STRING,
        slots: {
          type: 'array',
          items: {
            type: 'object',
            required: ['start', 'end', 'price_inc_vat', 'intensity', 'index'],
            properties: { start: { type: 'string' }, end: { type: 'string' }, price_inc_vat: NULLABLE_NUMBER, intensity: NULLABLE_NUMBER, index: NULLABLE_STRING }
          }
        },
        best: {
          type: 'object',
          required: ['cheapest', 'greenest', 'balanced'],
          properties: { cheapest: WINDOW, greenest: WINDOW, balanced: WINDOW }
        },
        reason: NULLABLE_STRING,
        weighting: { type: 'string' }
      }
    },
    400: ERROR
  }
} as const

export interface AheadRouteDeps {
  pool: Pool
  /** The clock, UTC ms (tests fix it). */
  now: () => number
}

export function aheadRoutes (app: ApiApp, { pool, now }: AheadRouteDeps): void {
  app.get<{ Querystring: { hours?: string } }>('/api/ahead', { schema: AHEAD_SCHEMA }, async (request, reply): Promise<AheadResponse> => {
    const hours = parseHours(request.query.hours)
    const nowMs = now()
    const fromMs = Math.floor(nowMs / SLOT_MS) * SLOT_MS
    const toMs = fromMs + HORIZON_SLOTS * SLOT_MS
    const rows = await forecastBetween(pool, fromMs, toMs)
    const slots = rows.map(r => ({ start: r.slot_start.getTime(), price: r.price_inc_vat, intensity: r.intensity_forecast }))
    const { reason, ...best } = bestWindows(slots, hours)
    const fetched = rows.reduce((newest, r) => Math.max(newest, r.fetched_at.getTime()), -Infinity)
    // New forecasts land every FORECAST_REFRESH_MINUTES: never serve a cached answer.
    reply.header('cache-control', 'no-store')
    return {
      now: isoUtc(nowMs),
      hours,
      from: isoUtc(fromMs),
      to: isoUtc(toMs),
      region: rows.find(r => r.intensity_forecast !== null)?.region ?? null,
      tariff_code: rows.find(r => r.tariff_code !== null)?.tariff_code ?? null,
      fetched_at: rows.length === 0 ? null : isoUtc(fetched),
      slots: rows.map(r => ({
        start: isoUtc(r.slot_start.getTime()),
        end: isoUtc(r.slot_start.getTime() + SLOT_MS),
        price_inc_vat: r.price_inc_vat,
        intensity: r.intensity_forecast,
        index: r.intensity_index
      })),
      best,
      reason,
      weighting: WEIGHTING
    }
  })
}

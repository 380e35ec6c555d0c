import { EnergyError } from '../../lib/errors.ts'

export interface Discovered { mpan: string, serial: string, tariff: string, product: string }

interface Agreement { tariff_code?: unknown, valid_from?: unknown, valid_to?: unknown }
interface MeterPoint { mpan?: unknown, is_export?: unknown, meters?: Array<{ serial_number?: unknown }>, agreements?: Agreement[] }

/**
 * From Octopus `GET /v1/accounts/{account}/`: the import electricity meter point of the
 * current property, its (last listed) meter serial and the tariff of the agreement in force
 * (`valid_to` null or in the future).
 */
export function parseAccount (body: unknown, nowMs = Date.now()): Discovered {
  const fail = (why: string): never => { throw new EnergyError('ENERGY_MALFORMED', `account answer: ${why}`) }
  const properties = (body as { properties?: Array<{ moved_out_at?: unknown, electricity_meter_points?: MeterPoint[] }> })?.properties
  if (!Array.isArray(properties) || properties.length === 0) return fail('no properties')
  const property = properties.find(p => p.moved_out_at === null || p.moved_out_at === undefined) ?? properties[properties.length - 1]
  const point = (property.electricity_meter_points ?? []).find(p => p.is_export !== true)
  if (point === undefined || typeof point.mpan !== 'string') return fail('no import electricity meter point')
  const serials = (point.meters ?? []).map(m => m.serial_number).filter((s): s is string => typeof s === 'string' && s.trim() !== '')
  if (serials.length === 0) fail(`meter point ${point.mpan} lists no meter serial`)
  const current = (point.agreements ?? []).find(a => a.valid_to === null || (typeof a.valid_to === 'string' && Date.parse(a.valid_to) > nowMs))
  if (current === undefined || typeof current.tariff_code !== 'string') return fail(`meter point ${point.mpan} has no current agreement`)
  return { mpan: point.mpan, serial: serials[serials.length - 1], tariff: current.tariff_code, product: productOf(current.tariff_code) }
}

/** E-1R-AGILE-24-10-01-C → AGILE-24-10-01: drop the fuel/register prefix and the region letter. */
function productOf (tariffCode: string): string {
  const m = /^[EG]-\d+R-(.+)-[A-P]$/.exec(tariffCode)
  if (m === null) throw new EnergyError('ENERGY_MALFORMED', `tariff code "${tariffCode}" is not of the form E-1R-<product>-<region>`)
  return m[1]
}

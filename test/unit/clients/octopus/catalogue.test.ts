import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTariffCatalogue, parseProduct } from '../../../../clients/octopus/catalogue.ts'

// GET /v1/products/{code}/ in the recorded shape (ryanw-mobile/OctoMeter GetProductSampleData.kt,
// VAR-22-11-01, trimmed to what is read): tariffs by map, region and payment method, with links.

const link = (tariff: string, fuel: string, name: string, rel: string): object =>
  ({ href: `https://api.octopus.energy/v1/products/VAR-22-11-01/${fuel}-tariffs/${tariff}/${name}/`, method: 'GET', rel })

const PRODUCT = {
  code: 'VAR-22-11-01',
  full_name: 'Flexible Octopus November 2022 v1',
  tariffs_active_at: '2024-05-28T05:45:30.834473Z',
  single_register_electricity_tariffs: {
    _A: { varying: { code: 'E-1R-VAR-22-11-01-A', standing_charge_inc_vat: 47.8485, links: [link('E-1R-VAR-22-11-01-A', 'electricity', 'standing-charges', 'standing_charges'), link('E-1R-VAR-22-11-01-A', 'electricity', 'standard-unit-rates', 'standard_unit_rates')] } }
  },
  dual_register_electricity_tariffs: {
    _A: { varying: { code: 'E-2R-VAR-22-11-01-A', links: [link('E-2R-VAR-22-11-01-A', 'electricity', 'standing-charges', 'standing_charges'), link('E-2R-VAR-22-11-01-A', 'electricity', 'day-unit-rates', 'day_unit_rates'), link('E-2R-VAR-22-11-01-A', 'electricity', 'night-unit-rates', 'night_unit_rates')] } }
  },
  single_register_gas_tariffs: {
    _A: { varying: { code: 'G-1R-VAR-22-11-01-A', links: [link('G-1R-VAR-22-11-01-A', 'gas', 'standard-unit-rates', 'standard_unit_rates')] } }
  },
  sample_quotes: { _A: { varying: { electricity_single_rate: { annual_cost_inc_vat: 85652 } } } },
  links: [{ href: 'https://api.octopus.energy/v1/products/VAR-22-11-01/', method: 'GET', rel: 'self' }]
}

test('a product answer gives every tariff its fuel and rate links, whatever map lists it', () => {
  const { code, tariffs } = parseProduct(PRODUCT)
  assert.equal(code, 'VAR-22-11-01')
  assert.deepStrictEqual([...tariffs.keys()], ['E-1R-VAR-22-11-01-A', 'E-2R-VAR-22-11-01-A', 'G-1R-VAR-22-11-01-A'])
  assert.deepStrictEqual(tariffs.get('E-2R-VAR-22-11-01-A'), {
    fuel: 'electricity',
    links: {
      standing_charges: 'https://api.octopus.energy/v1/products/VAR-22-11-01/electricity-tariffs/E-2R-VAR-22-11-01-A/standing-charges/',
      day_unit_rates: 'https://api.octopus.energy/v1/products/VAR-22-11-01/electricity-tariffs/E-2R-VAR-22-11-01-A/day-unit-rates/',
      night_unit_rates: 'https://api.octopus.energy/v1/products/VAR-22-11-01/electricity-tariffs/E-2R-VAR-22-11-01-A/night-unit-rates/'
    }
  })
  assert.equal(tariffs.get('G-1R-VAR-22-11-01-A')?.fuel, 'gas')
})

test('a hostile product answer: junk entries are skipped, an endless one refused', () => {
  const junk = parseProduct({ code: 'X-1', single_register_electricity_tariffs: { _A: { a: null, b: { code: '../../x', links: [] }, c: { code: 'E-1R-X-1-A', links: 'no' }, d: { code: 'E-1R-X-1-B', links: [{ rel: 'standard_unit_rates', href: 7 }] } } } })
  assert.deepStrictEqual([...junk.tariffs], [['E-1R-X-1-B', { fuel: 'electricity', links: {} }]])
  const regions = Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`_${i}`, { m: { code: `E-1R-X-${i}`, links: [] } }]))
  assert.throws(() => parseProduct({ code: 'X-1', single_register_electricity_tariffs: regions }), { code: 'ENERGY_MALFORMED', message: 'catalogue answer is malformed: product X-1 lists more than 2000 tariffs' })
  assert.throws(() => parseProduct([]), { code: 'ENERGY_MALFORMED', message: 'catalogue answer is malformed: product is not an object' })
})

test('the catalogue remembers a tariff marked unpriced, and why, until asked again an hour later', () => {
  let now = 0
  const catalogue = createTariffCatalogue({ now: () => now })
  catalogue.markUnpriced('E-1R-X-1-A', 'its rates answer HTTP 400')
  assert.equal(catalogue.unpriced('E-1R-X-1-A'), 'its rates answer HTTP 400')
  assert.equal(catalogue.unpriced('E-1R-Y-1-A'), undefined)
  now = 3600 * 1000 + 1
  // Kept for the reason's sake; the next resolve asks again.
  assert.equal(catalogue.unpriced('E-1R-X-1-A'), 'its rates answer HTTP 400')
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAgileProduct, isExportProduct, isTwoRateTariff, productLaunch } from '../../../sample-api/index.ts'

test('a product launches at London midnight of the date its code ends in', () => {
  assert.deepEqual(
    ['AGILE-24-10-01', 'VAR-22-11-01', 'AGILE-FLEX-22-11-25', 'VAR-16-01-01', 'OUTGOING-FIX-12M-19-05-13'].map(p => new Date(productLaunch(p) as number).toISOString()),
    ['2024-09-30T23:00:00.000Z', '2022-11-01T00:00:00.000Z', '2022-11-25T00:00:00.000Z', '2016-01-01T00:00:00.000Z', '2019-05-12T23:00:00.000Z']
  )
})

test('a code without a launch date is no product', () => {
  for (const product of ['NOPE-1', 'AGILE', 'VAR-22-13-01', 'VAR-22-02-30', 'VAR-2022-11-01', 'VAR-22-11-01-X', '']) {
    assert.equal(productLaunch(product), undefined, product)
  }
})

test('products whose code contains AGILE are half-hourly', () => {
  assert.deepEqual(['AGILE-24-10-01', 'AGILE-FLEX-22-11-25', 'AGILE-OUTGOING-19-05-13', 'VAR-22-11-01', 'OUTGOING-FIX-12M-19-05-13'].map(isAgileProduct), [true, true, true, false, false])
})

test('products whose code contains OUTGOING are export products; E-2R tariffs have two rates', () => {
  assert.deepEqual(['OUTGOING-FIX-12M-19-05-13', 'AGILE-OUTGOING-19-05-13', 'AGILE-24-10-01', 'VAR-22-11-01'].map(isExportProduct), [true, true, false, false])
  assert.deepEqual(['E-2R-VAR-13-06-01-N', 'E-1R-VAR-13-06-01-N', 'G-1R-VAR-22-11-01-C', 'E-2R'].map(isTwoRateTariff), [true, false, false, false])
})

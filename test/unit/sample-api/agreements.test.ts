import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spliceAgreement, type Agreement } from '../../../sample-api/index.ts'

const agreement = (tariff: string, from: string, to: string | null): Agreement => ({ tariff_code: tariff, valid_from: from, valid_to: to })
const OLD = agreement('E-1R-VAR-16-01-01-C', '2016-01-01T00:00:00Z', '2022-11-01T00:00:00Z')
const MID = agreement('E-1R-VAR-22-11-01-C', '2022-11-01T00:00:00Z', '2024-10-01T00:00:00+01:00')
const NOW = agreement('E-1R-AGILE-24-10-01-C', '2024-10-01T00:00:00+01:00', null)
const LIST = [OLD, MID, NOW]

test('an agreement inside another splits it in two, the cuts taking the new times as given', () => {
  const added = agreement('E-1R-AGILE-18-02-21-C', '2019-04-01T00:00:00+01:00', '2020-04-01T00:00:00+01:00')
  assert.deepStrictEqual(spliceAgreement(LIST, added), [
    agreement('E-1R-VAR-16-01-01-C', '2016-01-01T00:00:00Z', '2019-04-01T00:00:00+01:00'),
    added,
    agreement('E-1R-VAR-16-01-01-C', '2020-04-01T00:00:00+01:00', '2022-11-01T00:00:00Z'),
    MID,
    NOW
  ])
  assert.deepStrictEqual(LIST, [OLD, MID, NOW], 'the list given is left as it is')
})

test('overlapped agreements are trimmed at both edges, one entirely inside is removed', () => {
  const added = agreement('E-1R-AGILE-FLEX-22-11-25-C', '2022-06-01T00:00:00+01:00', '2024-12-01T00:00:00Z')
  assert.deepStrictEqual(spliceAgreement(LIST, added), [
    { ...OLD, valid_to: '2022-06-01T00:00:00+01:00' },
    added,
    { ...NOW, valid_from: '2024-12-01T00:00:00Z' }
  ])
})

test('an open-ended agreement ends the current one; the same period replaces it', () => {
  const open = agreement('E-1R-AGILE-FLEX-22-11-25-C', '2025-01-01T00:00:00Z', null)
  assert.deepStrictEqual(spliceAgreement(LIST, open), [OLD, MID, { ...NOW, valid_to: '2025-01-01T00:00:00Z' }, open])
  const same = agreement('E-1R-VAR-22-11-01-A', '2022-11-01T00:00:00Z', '2024-10-01T00:00:00+01:00')
  assert.deepStrictEqual(spliceAgreement(LIST, same), [OLD, same, NOW])
  // The same instant in another spelling is the same edge.
  const spelled = agreement('E-1R-VAR-22-11-01-A', '2022-11-01T00:00:00+00:00', '2024-09-30T23:00:00Z')
  assert.deepStrictEqual(spliceAgreement(LIST, spelled), [OLD, spelled, NOW])
})

test('agreements that only touch the new one, or lie before the first, stay as they are', () => {
  const before = agreement('E-1R-VAR-10-01-01-C', '2012-01-01T00:00:00Z', '2016-01-01T00:00:00Z')
  assert.deepStrictEqual(spliceAgreement(LIST, before), [before, OLD, MID, NOW])
  assert.deepStrictEqual(spliceAgreement([], before), [before])
})

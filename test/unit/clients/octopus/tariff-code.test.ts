import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseTariffCode } from '../../../../clients/octopus/tariff-code.ts'

// What a code's shape suggests (the catalogue decides): codes real accounts carry
// (HomeAssistant-OctopusEnergy tests/unit/utils/test_tariff_parts.py, issues #90, #1311, #1680).

test('the product a code suggests, its fuel and whether it names two registers', () => {
  const cases: Array<[string, string[], string | undefined, boolean]> = [
    ['E-1R-AGILE-24-10-01-C', ['AGILE-24-10-01'], 'electricity', false],
    ['E-2R-VAR-22-11-01-A', ['VAR-22-11-01'], 'electricity', true],
    ['E-FLAT2R-VAR-22-11-01-H', ['VAR-22-11-01'], 'electricity', true],
    ['G-1R-VAR-22-11-01-N', ['VAR-22-11-01'], 'gas', false],
    ['E-1R-IOG-SMB-TOU-25-12-12-E', ['IOG-SMB-TOU-25-12-12'], 'electricity', false],
    ['E-1R-INTELLI-FLUX-EXPORT-23-07-14-E', ['INTELLI-FLUX-EXPORT-23-07-14'], 'electricity', false],
    // No fuel prefix: the code without its region letter.
    ['V2G-EXPORT-12M-FIXED-22-12-01-C', ['V2G-EXPORT-12M-FIXED-22-12-01'], undefined, false],
    // Fuel and register run together: both readings.
    ['E1R-AEVAR-1201-J', ['AEVAR-1201', 'E1R-AEVAR-1201'], 'electricity', false],
    // No region letter (a real business code): nothing to suggest.
    ['BUS-PANELP-12M-FIXED-SEPTEMBER2029', [], undefined, false]
  ]
  for (const [code, products, fuel, twoRegisters] of cases) assert.deepStrictEqual(parseTariffCode(code), { products, fuel, twoRegisters }, code)
})

test('a code that could break a URL path suggests nothing', () => {
  for (const code of ['../E-1R-X-A', 'E-1R-X/Y-A', 'E-1R-X Y-A', '', 'E'.repeat(81), 'E-1R-X-A\u0000']) {
    assert.deepStrictEqual(parseTariffCode(code), { products: [], fuel: undefined, twoRegisters: false }, JSON.stringify(code))
  }
})

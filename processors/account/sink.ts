import type { CopyValue, SinkTarget } from '../../lib/copy-writer.ts'
import { ACCOUNT_TOPIC } from '../../lib/topics.ts'
import type { Account, Agreement, Property } from '../../clients/octopus/types.ts'

/**
 * Where energy.account lands: one energy_usage.agreements row per agreement of every meter
 * point (electricity import and export, gas), with the property it belongs to. A new account
 * record replaces all the account's rows, so an agreement a back-dated switch removed goes too.
 */
export const agreementsTarget: SinkTarget<Account> = {
  name: 'agreements',
  topic: ACCOUNT_TOPIC,
  spec: {
    table: 'energy_usage.agreements',
    columns: ['account', 'meter_point', 'valid_from', 'valid_to', 'tariff_code', 'kind', 'meters', 'moved_in_at', 'moved_out_at', 'postcode', 'fetched_at'],
    types: ['text', 'text', 'timestamptz', 'timestamptz', 'text', 'text', 'jsonb', 'timestamptz', 'timestamptz', 'text', 'timestamptz'],
    rowKey: ['account', 'meter_point', 'valid_from'],
    recordKey: ['account']
  },
  toRows: account => account.properties.flatMap(property => [
    ...property.electricity_meter_points.flatMap(p => rows(account, property, p.mpan, p.is_export ? 'export' : 'import', p.meters, p.agreements)),
    ...property.gas_meter_points.flatMap(p => rows(account, property, p.mprn, 'gas', p.meters, p.agreements))
  ]),
  keyValues: key => [key]
}

function rows (account: Account, property: Property, meterPoint: string, kind: string, meters: string[], agreements: Agreement[]): CopyValue[][] {
  return agreements.map(a => [
    account.number, meterPoint, a.valid_from, a.valid_to, a.tariff_code, kind, JSON.stringify(meters),
    property.moved_in_at, property.moved_out_at, property.postcode, account.fetched_at
  ])
}

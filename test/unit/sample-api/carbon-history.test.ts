import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createSampleApi } from '../../../sample-api/index.ts'
import { startSampleApi } from './helpers.ts'

interface Slot { from: string }
interface Regional { data: { regionid: number, data: Slot[] } }

test('national carbon data starts on 2017-09-26 (00:00Z): earlier slots are not answered', async t => {
  const { json, api } = await startSampleApi(t)
  assert.deepStrictEqual(await json('/carbon/intensity/date/2016-06-15'), { data: [] })
  assert.deepStrictEqual(await json('/carbon/intensity/2016-06-14T23:30Z/2016-06-15T23:00Z'), { data: [] })
  assert.deepStrictEqual(await json('/carbon/generation/2016-06-14T23:30Z/2016-06-15T23:00Z'), { data: [] })
  // 2017-09-26 is BST: its London day starts 2017-09-25T23:00Z, before the data set.
  const first = await json<{ data: Slot[] }>('/carbon/intensity/date/2017-09-26')
  assert.deepStrictEqual([first.data.length, first.data[0].from], [46, '2017-09-26T00:00Z'])
  const across = await json<{ data: Slot[] }>('/carbon/generation/2017-09-25T12:00Z/2017-09-26T01:00Z')
  assert.deepStrictEqual(across.data.map(s => s.from), ['2017-09-26T00:00Z', '2017-09-26T00:30Z'])
  assert.equal((await json<{ data: Slot[] }>('/carbon/intensity/date/2017-09-27')).data.length, 48)
  assert.deepStrictEqual(api.requests.bySource, { co2: 4, mix: 2 })
})

test('regional carbon data starts on 2018-05-10: earlier ranges list no slots', async t => {
  const { json } = await startSampleApi(t)
  const before = await json<Regional>('/carbon/regional/intensity/2018-05-08T23:30Z/2018-05-09T23:00Z/regionid/13')
  assert.deepStrictEqual([before.data.regionid, before.data.data], [13, []])
  const across = await json<Regional>('/carbon/regional/intensity/2018-05-09T23:00Z/2018-05-10T01:00Z/postcode/SW1A')
  assert.deepStrictEqual(across.data.data.map(s => s.from), ['2018-05-10T00:00Z', '2018-05-10T00:30Z'])
  // National data exists then.
  assert.equal((await json<{ data: Slot[] }>('/carbon/intensity/date/2018-05-09')).data.length, 48)
})

test('the starts are options: earlier ones bring the older days back', async t => {
  const { json } = await startSampleApi(t, { carbonNationalStart: '2010-01-01', carbonRegionalStart: '2010-01-01' })
  assert.equal((await json<{ data: Slot[] }>('/carbon/intensity/date/2016-06-15')).data.length, 48)
  assert.equal((await json<Regional>('/carbon/regional/intensity/2015-06-14T23:30Z/2015-06-15T23:00Z/postcode/M1')).data.data.length, 48)
  assert.throws(() => createSampleApi({ seed: 1, carbonNationalStart: '2017' }), { name: 'RangeError', message: 'carbonNationalStart must be a date YYYY-MM-DD, got "2017"' })
})

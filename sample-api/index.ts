export { createSampleApi } from './app.ts'
export { spliceAgreement } from './agreements.ts'
export {
  agileOutgoingRate, agileRate, carbonIntensity, consumption, dayRate, exportConsumption, forecastAt, FUELS, fixedRate, gasConsumption,
  gasRate, gasStandingCharge, generationMix, intensityIndex, nightRate, oldMeterConsumption, regionalGenerationMix, regionalIntensity,
  standingCharge, withoutVat, withVat
} from './data.ts'
export { parseFaults, takeFault } from './faults.ts'
export { findMeter, SAMPLE_METERS } from './meters.ts'
export {
  SAMPLE_ACCOUNT, SAMPLE_ACCOUNT_AGILE_TARIFF, SAMPLE_EXCHANGE_DATE, SAMPLE_EXPORT_AGREEMENTS, SAMPLE_EXPORT_MPAN, SAMPLE_EXPORT_SERIAL,
  SAMPLE_GAS_AGREEMENTS, SAMPLE_GAS_SERIAL, SAMPLE_IMPORT_AGREEMENTS, SAMPLE_MOVED_IN_AT, SAMPLE_MPAN, SAMPLE_MPRN, SAMPLE_OLD_SERIAL,
  SAMPLE_OUTGOING_FIXED_RATE, SAMPLE_PREVIOUS_AGREEMENTS, SAMPLE_PREVIOUS_MOVED_IN_AT, SAMPLE_PREVIOUS_MPAN, SAMPLE_PREVIOUS_SERIAL,
  SAMPLE_SERIAL, SAMPLE_SOLAR_DATE
} from './options.ts'
export { POSTCODE_AREAS, REGIONS, regionOfId, regionOfOutcode, type Region, type RegionInfo, type RegionModel } from './regions.ts'
export { isAgileProduct, isExportProduct, isTwoRateTariff, productLaunch } from './products.ts'
export type * from './types.ts'

export { createSampleApi } from './app.ts'
export { spliceAgreement } from './agreements.ts'
export {
  agileOutgoingRate, agileRate, carbonIntensity, consumption, dayRate, exportConsumption, forecastAt, FUELS, fixedRate, gasConsumption,
  gasRate, gasStandingCharge, generationMix, intensityIndex, nightRate, oldMeterConsumption, regionalGenerationMix, regionalIntensity,
  smets1GasConsumption, standingCharge, timeOfUseRate, trackerGasRate, trackerRate, withoutVat, withVat, type TimeOfUseBand
} from './data.ts'
export { findProduct, findTariff, GSP_REGIONS, LISTED_GENERATED, productOfTariff, type CatalogueProduct, type CatalogueTariff } from './catalogue.ts'
export { parseFaults, takeFault } from './faults.ts'
export { GSP_OF_REGION, gspOfPostcode } from './gsp.ts'
export { GO_FIVE_HOURS_FROM } from './tariffs.ts'
export { findMeter, REAL_METERS, SAMPLE_METERS } from './meters.ts'
export {
  CARBON_NATIONAL_START_DATE, CARBON_REGIONAL_START_DATE, REAL_ACCOUNT, REAL_EXPORT_AGREEMENTS, REAL_EXPORT_FROM_DATE, REAL_EXPORT_MPAN,
  REAL_EXPORT_SERIAL, REAL_GAS_AGREEMENTS, REAL_GAS_EXCHANGE_DATE, REAL_GAS_GAP, REAL_GAS_SMETS1_SERIAL, REAL_GAS_SMETS2_SERIAL,
  REAL_IMPORT_AGREEMENTS, REAL_IMPORT_GAP, REAL_LEGACY_SERIAL, REAL_LEGACY_TARIFF, REAL_MOVED_IN_AT, REAL_MPAN, REAL_MPRN, REAL_POSTCODE,
  REAL_REGION, REAL_SERIAL, REAL_TARIFF_PRODUCTS, REAL_V2G_EXPORT_RATE, SAMPLE_ACCOUNT, SAMPLE_ACCOUNT_AGILE_TARIFF, SAMPLE_EXCHANGE_DATE, SAMPLE_EXPORT_AGREEMENTS, SAMPLE_EXPORT_MPAN, SAMPLE_EXPORT_SERIAL,
  SAMPLE_GAS_AGREEMENTS, SAMPLE_GAS_SERIAL, SAMPLE_IMPORT_AGREEMENTS, SAMPLE_MOVED_IN_AT, SAMPLE_MPAN, SAMPLE_MPRN, SAMPLE_OLD_SERIAL,
  SAMPLE_OUTGOING_FIXED_RATE, SAMPLE_PREVIOUS_AGREEMENTS, SAMPLE_PREVIOUS_MOVED_IN_AT, SAMPLE_PREVIOUS_MPAN, SAMPLE_PREVIOUS_SERIAL,
  SAMPLE_SERIAL, SAMPLE_SOLAR_DATE
} from './options.ts'
export { POSTCODE_AREAS, REGIONS, regionOfId, regionOfOutcode, type Region, type RegionInfo, type RegionModel } from './regions.ts'
export { isAgileProduct, isExportProduct, isTwoRateTariff, productLaunch } from './products.ts'
export type * from './types.ts'

// What the Carbon Intensity API answers, parsed and checked (times UTC ms): the values of
// energy.co2, energy.mix and energy.regional, and the forecast's intensity.

export interface Co2Values { slot_start: number, forecast: number, actual: number | null, index: string }
export interface FuelShare { fuel: string, perc: number }
export interface MixValues { slot_start: number, generationmix: FuelShare[] }
/** A slot's regional carbon (Carbon Intensity `/regional/...`): the region's forecast (no actual), index and mix. */
export interface RegionalValues { slot_start: number, region_id: number, region: string, forecast: number, index: string, generationmix: FuelShare[] }

/** A slot's forecast intensity from a Carbon Intensity fw48h answer. */
export interface IntensityForecast {
  slot_start: number
  forecast: number
  index: string
  /** null: national. */
  region_id: number | null
  region: string | null
}

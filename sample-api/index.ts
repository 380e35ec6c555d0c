export { createSampleApi } from './app.ts'
export { agileRate, carbonIntensity, consumption, FUELS, fixedRate, generationMix, intensityIndex, standingCharge, withVat } from './data.ts'
export { parseFaults, takeFault } from './faults.ts'
export type * from './types.ts'

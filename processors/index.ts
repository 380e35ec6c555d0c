import type { Source } from '../lib/topics.ts'
import type { SourceDefinition } from './ingest/types.ts'
import { co2Source } from './co2/index.ts'
import { mixSource } from './mix/index.ts'
import { pricingSource } from './pricing/index.ts'
import { usageSource } from './usage/index.ts'

export { createSourceProcessor } from './ingest/index.ts'

export const SOURCE_DEFINITIONS: Record<Source, SourceDefinition> = {
  co2: co2Source,
  mix: mixSource,
  pricing: pricingSource,
  usage: usageSource
}

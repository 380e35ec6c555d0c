export { createSourceProcessor } from './ingest/index.ts'
export { createJoinProcessor } from './join/index.ts'
export * from './topology.ts'

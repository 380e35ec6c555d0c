import { parseArgs } from 'node:util'
import { describeTopology } from '../processors/describe.ts'
import { topology } from '../processors/topology.ts'

const HELP = `Usage: npm run topology -- [--namespace PREFIX]

Prints the pipeline's whole graph, derived from processors/topology.ts, as Kafka Streams'
Topology.describe() does: each sub-topology's sources (topics read), processors (consumer
group, stores) and sinks (topics or Postgres tables written), with --> and <-- edges.
  --namespace  prefix of topics and groups (PIPELINE_NAMESPACE), default none
Needs nothing running.`

const { values } = parseArgs({ options: { namespace: { type: 'string', default: '' }, help: { type: 'boolean', short: 'h' } } })
if (values.help === true) {
  console.log(HELP)
  process.exit(0)
}
process.stdout.write(describeTopology(topology, { namespace: values.namespace }))

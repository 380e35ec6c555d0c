import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import type { Config } from '../../lib/config.ts'

// The Maven-based local stack: Apache Kafka (KRaft, one node) and Apicurio Registry, both
// from Maven Central (scripts/stack/pom.xml), data and logs under the ignored .stack/.

export const STACK_DIR = new URL('../../.stack/', import.meta.url).pathname
const POM = new URL('./pom.xml', import.meta.url).pathname

export interface ServiceSpec {
  name: 'kafka' | 'registry'
  /** A string only this service's command line contains; guards against recycled pids. */
  marker: string
  java: string
  args: string[]
  /** Runs once before the first start (formatting storage). */
  prepare?: () => void
  /** Where users and the health check reach it. */
  address: string
}

export function artifactsPresent (): boolean {
  return existsSync(join(STACK_DIR, 'kafka/libs')) && existsSync(join(STACK_DIR, 'apicurio/quarkus-run.jar'))
}

/** Fetches Kafka's jars and Apicurio's distribution through Maven (cached in ~/.m2). */
export function fetchArtifacts (): void {
  execFileSync('mvn', ['-q', '-B', '-f', POM, 'package'], { stdio: 'inherit' })
}

function javaMajor (javaBin: string): number {
  // `java -version` writes to stderr.
  const run = spawnSync(javaBin, ['-version'], { encoding: 'utf8' })
  return run.error === undefined ? parseMajor(`${run.stdout}${run.stderr}`) : 0
}

function parseMajor (versionText: string): number {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionText)
  if (m === null) return 0
  return m[1] === '1' ? Number(m[2]) : Number(m[1])
}

/** A java binary of at least `major`: `java` on PATH if new enough, else the newest JDK under /usr/lib/jvm. */
function findJava (major: number): string {
  if (javaMajor('java') >= major) return 'java'
  const jvmDir = '/usr/lib/jvm'
  const found = existsSync(jvmDir)
    ? readdirSync(jvmDir).map(dir => join(jvmDir, dir, 'bin/java')).filter(bin => existsSync(bin))
      .map(bin => ({ bin, major: javaMajor(bin) })).filter(j => j.major >= major).sort((a, b) => b.major - a.major)
    : []
  if (found.length === 0) throw new Error(`no Java ${major}+ found on PATH or under /usr/lib/jvm`)
  return found[0].bin
}

function hostPort (address: string): { host: string, port: number } {
  const [host, port] = address.split(':')
  return { host, port: Number(port) }
}

export function kafkaSpec (config: Pick<Config, 'kafkaBrokers'>): ServiceSpec {
  const { host, port } = hostPort(config.kafkaBrokers[0])
  const dir = join(STACK_DIR, 'kafka')
  const dataDir = join(STACK_DIR, 'data/kafka')
  const properties = join(dir, 'server.properties')
  const log4j = join(dir, 'log4j2.properties')
  const java = findJava(17)
  const classpath = join(dir, 'libs/*')
  return {
    name: 'kafka',
    marker: properties,
    java,
    address: `${host}:${port}`,
    // Modest heap: the broker shares two cores and the memory with Postgres and the tests.
    args: ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4j}`, '-cp', classpath, 'kafka.Kafka', properties],
    prepare () {
      mkdirSync(dataDir, { recursive: true })
      writeFileSync(properties, [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@${host}:${port + 1}`,
        `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${port + 1}`,
        `advertised.listeners=PLAINTEXT://${host}:${port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${dataDir}`,
        'auto.create.topics.enable=false',
        // One node: internal topics cannot be replicated.
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=8',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=8',
        'group.initial.rebalance.delay.ms=0',
        // Compaction runs on small segments so compacted topics really compact locally.
        'log.segment.bytes=67108864',
        'log.cleaner.dedupe.buffer.size=16777216',
        'num.partitions=1',
        ''
      ].join('\n'))
      writeFileSync(log4j, [
        'status = warn',
        'appender.out.type = Console',
        'appender.out.name = OUT',
        'appender.out.layout.type = PatternLayout',
        'appender.out.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = info',
        'rootLogger.appenderRef.out.ref = OUT',
        'logger.kafka.name = kafka',
        'logger.kafka.level = warn',
        'logger.state.name = state.change.logger',
        'logger.state.level = warn',
        ''
      ].join('\n'))
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        // A KRaft cluster id is a base64url UUID (what `kafka-storage random-uuid` prints).
        const clusterId = randomBytes(16).toString('base64url')
        execFileSync(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties],
          { stdio: ['ignore', 'ignore', 'pipe'] })
      }
    }
  }
}

export function registrySpec (config: Pick<Config, 'schemaRegistryUrl'>): ServiceSpec {
  const url = new URL(config.schemaRegistryUrl)
  const dataDir = join(STACK_DIR, 'data/apicurio')
  const jar = join(STACK_DIR, 'apicurio/quarkus-run.jar')
  return {
    name: 'registry',
    marker: jar,
    // Apicurio Registry 3.3 is compiled for Java 21.
    java: findJava(21),
    address: `${url.hostname}:${url.port}`,
    args: ['-Xms64m', '-Xmx384m',
      `-Dquarkus.http.host=${url.hostname}`, `-Dquarkus.http.port=${url.port}`,
      // The management interface (health, metrics) is built in and would otherwise listen on
      // 0.0.0.0:9000; keep it on loopback, next to the API port.
      `-Dquarkus.management.host=${url.hostname}`, `-Dquarkus.management.port=${Number(url.port) + 1}`,
      `-Dapicurio.datasource.url=jdbc:h2:file:${dataDir}/registry`,
      '-Dapicurio.rest.deletion.artifact.enabled=true',
      '-Dapicurio.rest.deletion.artifact-version.enabled=true',
      '-Dapicurio.rest.deletion.group.enabled=true',
      '-jar', jar],
    prepare () {
      mkdirSync(dataDir, { recursive: true })
    }
  }
}

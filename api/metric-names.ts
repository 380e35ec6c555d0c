// The Prometheus families the API serves on /metrics (api/metrics.ts), by name: the contract
// between the pipeline and monitoring/ (the Grafana dashboard's queries are checked against it).
// Names follow Prometheus's conventions: energy_ prefix, base units (seconds), _total for
// counters; no label takes unbounded values (no dates, no tariff codes from upstream).

export const METRIC_FAMILIES = {
  energy_source_newest_complete_day_timestamp_seconds: 'Start (Unix time) of the newest London day each source has complete in Postgres.',
  energy_source_newest_record_age_seconds: 'Age of the newest half-hour each source has landed in Postgres.',
  energy_task_records_in_total: 'Records a task consumed, as its process last published them.',
  energy_task_records_out_total: 'Records (or rows) a task produced or landed.',
  energy_task_commits_total: 'Transactions a task committed.',
  energy_task_dead_letters_total: 'Records a task sent to energy.dlq.',
  energy_task_restore_progress_ratio: 'Share of its compacted inputs a task has restored (1 when done).',
  energy_consumer_lag_records: 'Records a consumer group has not processed yet, over its partitions.',
  energy_dead_letters: 'Records on energy.dlq, by the component that rejected them and the error code.',
  energy_upstream_requests_total: 'Requests to an upstream API host, by outcome (ok, error, rate_limited).',
  energy_upstream_retries_total: 'Retries of requests to an upstream API host.',
  energy_backfill_dates: 'Days requested of the sources, and days landed in daily_summary.',
  energy_join_state_dates: 'Days the join holds in its state.',
  energy_api_request_duration_seconds: 'Duration of the API\'s HTTP requests, by route.'
} as const

export type MetricFamily = keyof typeof METRIC_FAMILIES

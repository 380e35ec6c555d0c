-- The task runtime's counters (lib/stream/counters.ts), as each process last published them
-- (lib/stream/publish.ts, every few seconds and once on stop): records in and out, commits,
-- dead letters, lag and restore progress per task and instance. /api/status reads them
-- rather than rebuilding them from outside. Idempotent.
CREATE TABLE IF NOT EXISTS energy_usage.task_status (
  task          text        NOT NULL,
  instance      text        NOT NULL,
  kind          text        NOT NULL,
  group_id      text        NOT NULL,
  counters      jsonb       NOT NULL,
  published_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (task, instance)
);

"""Background jobs: queue names, the job registry (`@job`, `enqueue_job`), the job and worker classes, the cron table."""

"""Background jobs: queue names, the job and worker classes, enqueue helpers, the cron table."""

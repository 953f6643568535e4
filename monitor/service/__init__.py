"""Running a deployment: the runtime, the scheduled jobs, retention, the demo and offline replay."""

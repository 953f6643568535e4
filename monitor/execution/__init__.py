"""How sweeps are executed (the config's ``execution`` section): in this process, or on Celery workers.

- ``local``: the ``Sweeper`` interface and the local sweeper (grab threads, batched detection, one writer);
  loading the detector.
- ``app``: the Celery application and its settings (late acknowledgement, one task at a time per slot).
- ``queueing``: the scheduler's side on Celery (queue a sweep, wait for its samples).
- ``worker``: the worker's side (the model loaded once per process, the task, `sitemon worker`).
- ``status``: what the Celery cluster reports (`sitemon workers`).
"""

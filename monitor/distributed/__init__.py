"""Scale-out on Celery: the scheduler queues each sweep in tasks of a few cameras; `sitemon worker`
processes on any number of machines sample them into the shared PostgreSQL database.

- ``app``: the Celery application and its settings (late acknowledgement, one task at a time per slot).
- ``dispatch``: the scheduler's side (queue a sweep, wait for its samples).
- ``worker``: the worker's side (the model loaded once per process, the task, `sitemon worker`).
"""

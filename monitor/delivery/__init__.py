"""Getting records to receivers outside sitemon: one durable outbox (table ``outbox``, a row per message,
its ``topic`` naming the receiver), one delivery loop, one back-off policy, one HTTP POST.

- ``backoff``: the pause before the next try, for the outbox and every other retry loop;
- ``http``: one JSON POST on httpx (no redirect followed, every failure a ``PostError`` with a reason);
- ``outbox``: queue, deliver what is due, give up after ``max_attempts`` (dead letter), retry;
- ``receivers``: the daily assessment (``export.delivery``) and the alert webhook (``alerts.webhook``).
- ``repository``: the stage's queries, the only ones: the outbox's rows read as frozen values and written.
"""

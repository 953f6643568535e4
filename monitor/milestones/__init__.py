"""Milestones and the start rate (挂图作战): planned and actual dates, the start seen on camera, warnings and
figures. Rules are pure (``detection``, ``rates``, ``dates``); the stage's queries are in ``repository``.
See docs/milestones.md."""

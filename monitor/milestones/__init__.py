"""Milestones and the start rate (挂图作战): planned and actual dates, the start seen on camera, warnings and
figures. Rules are pure (``detection``, ``warnings``, ``rates``); the database is met in the other modules.
See docs/milestones.md."""

"""The demo and the replay: the production pipeline on footage rather than a deployment's cameras.

``config`` (the demo's configuration), ``scenes``, ``history``, ``setup``, ``receiver``: the demo's month of
history and its records receiver (docs/demo.md); ``replay``, ``replay_days``: recorded footage through the
production judgement, nothing stored (`sitemon replay`, the scenario suite).
"""

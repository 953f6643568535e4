"""Alerts: rules over scores and camera health, their lifecycle, and the sinks they go to."""

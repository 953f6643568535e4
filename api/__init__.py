"""The HTTP API and (later) the dashboard."""

from api.app import create_app

__all__ = ["create_app"]

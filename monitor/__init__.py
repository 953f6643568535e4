"""sitemon: video-based construction progress monitor."""

__version__ = "0.1.0"

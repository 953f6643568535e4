"""The frame source interface and its errors."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from monitor.core.values import CameraKey, CameraStatus, Cause, default_cause

if TYPE_CHECKING:
    from monitor.config import CameraConfig


class SourceError(Exception):
    """A camera gave no usable frame. ``status`` says how it failed, ``cause`` why (for the catalogue of
    wordings); the message is the engineer's credential-free detail."""

    status: CameraStatus = CameraStatus.offline

    def __init__(self, message: str, status: CameraStatus | None = None, cause: Cause | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.cause: Cause = cause or default_cause(self.status) or Cause.internal


class SourceOpenError(SourceError):
    """The stream or file could not be opened (refused, timed out, not found, unauthorized)."""


class SourceReadError(SourceError):
    """The stream opened but no decodable frame came."""

    status = CameraStatus.stream_error


class FrameSource(abc.ABC):
    """Hands out one current frame per call. ``grab`` raises SourceError; it never hangs past its timeouts."""

    @property
    def note(self) -> str:
        """What the camera's health reason says while it works (e.g. the RTSP transport it settled on)."""
        return ""

    @abc.abstractmethod
    def grab(self) -> npt.NDArray[np.uint8]:
        """The current frame, BGR uint8 HxWx3."""

    def close(self) -> None:  # noqa: B027 - most sources hold nothing between grabs
        """Release what the source holds."""


class Sources(Protocol):
    """Hands out the source for a camera; ``release`` after every grab."""

    def acquire(self, key: CameraKey, camera: CameraConfig) -> FrameSource: ...

    def release(self, source: FrameSource) -> None: ...

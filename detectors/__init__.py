"""Object detectors behind one small interface."""

from detectors.base import Detections, Detector, DetectorError, ModelLoadError, check_frame
from detectors.categories import CategoryMap

__all__ = ["CategoryMap", "Detections", "Detector", "DetectorError", "ModelLoadError", "check_frame"]

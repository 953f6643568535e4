"""Model class names -> our categories (worker / machinery / vehicle)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detectors.base import Detections, ModelLoadError
from monitor.core.values import Category


@dataclass(frozen=True)
class CategoryMap:
    """Category of each class id of one model."""

    by_class_id: tuple[Category, ...]
    min_confidence: tuple[float, ...] = ()
    """Per class id: a box below this is dropped (``kept``); empty: every box the model gave is kept."""

    @classmethod
    def build(
        cls,
        mapping: Mapping[str, Category],
        class_names: Sequence[str],
        confidence: float = 0.0,
        per_category: Mapping[Category, float] | None = None,
    ) -> CategoryMap:
        """Fit the configured mapping to a model; a class the model lacks is an error naming the field.
        ``confidence``: the minimum of a box, ``per_category`` a category's own where it has one."""
        known = {name: i for i, name in enumerate(class_names)}
        unknown = sorted(name for name in mapping if name not in known)
        if unknown:
            raise ModelLoadError(
                f"detector.categories names class(es) {unknown} that the model does not have; "
                f"the model's classes are: {list(class_names)}"
            )
        by_id = [Category.ignored] * len(class_names)
        for name, category in mapping.items():
            by_id[known[name]] = category
        own = per_category or {}
        return cls(tuple(by_id), tuple(own.get(c, confidence) for c in by_id))

    @property
    def lowest_confidence(self) -> float:
        """The threshold the model must be run at for every category to get its boxes."""
        return min(self.min_confidence, default=0.0)

    def kept(self, detections: Detections) -> Detections:
        """The boxes at or above their category's minimum confidence."""
        if not self.min_confidence or len(detections) == 0:
            return detections
        floors = np.asarray(self.min_confidence, np.float32)[detections.class_id]
        return detections.select(detections.confidence >= floors)

    def categories_of(self, detections: Detections) -> list[Category]:
        return [self.by_class_id[i] for i in detections.class_id.tolist()]

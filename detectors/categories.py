"""Model class names -> our categories (worker / machinery / vehicle)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from detectors.base import Detections, ModelLoadError
from monitor.core.values import Category


@dataclass(frozen=True)
class CategoryMap:
    """Category of each class id of one model."""

    by_class_id: tuple[Category, ...]

    @classmethod
    def build(cls, mapping: Mapping[str, Category], class_names: Sequence[str]) -> CategoryMap:
        """Fit the configured mapping to a model; a class the model lacks is an error naming the field."""
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
        return cls(tuple(by_id))

    def categories_of(self, detections: Detections) -> list[Category]:
        return [self.by_class_id[i] for i in detections.class_id.tolist()]

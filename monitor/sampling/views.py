"""Views that come back: a camera remembers the views it showed, and each sample is compared with the last
sample of its own view. Pure functions.

A PTZ dome on cruise (球机 with presets) turns between a few presets; a camera knocked aside and set right
again returns to its old view. Compared with the previous sample only, every such sample is a "new view"
and shows no activity, so a dome cruising over a working crew read as an idle site. So a camera keeps, besides
its current view, the last picture and machines of up to ``MAX_VIEWS`` other views it showed lately, newest
first. A sample is of the same view as a remembered picture when the camera's movement between them is within
sway (``view_change_shift``, ``view_change_turn``) and the aligned pictures are alike (``VIEW_SIMILARITY``, the
correlation that ECC converged to; the same view scores 0.88 or more on the scenario suite, another preset or
a moving platform's next view 0.67 or less). The current view is tried first (one estimate for a fixed
camera, as before); the others only when it does not match.

A sample matching no remembered view is a new view: online, no activity, a ``camera_moved`` alert. A view
that never settles -- ``UNSTABLE_AFTER`` new views in a row (a camera on a moving platform, a dome that never
stops) -- is a camera fault (``unstable``, 视角不稳定): never idle, never activity. It ends when the camera holds one
view from a sample to the next; passing a view it showed before does not end it. A reference picture older
than the sampling memory's freshness (the night, an outage) still tells which view a sample shows, but is not
compared for activity, and failing to match it is no knock (night and day pictures differ).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitor.config import ScoringConfig
from monitor.core.values import CameraState, ViewMemory
from monitor.sampling.motion import CameraMotion, estimate_motion

MAX_VIEWS = 4
"""Views remembered besides the current one (a dome's presets are usually 2-6)."""
UNSTABLE_AFTER = 4
"""New views in a row that make the view unstable (a 4-preset dome's first cruise gives 3)."""
VIEW_SIMILARITY = 0.8
"""Aligned pictures at least this alike (ECC's correlation coefficient) show the same view."""

Grey = npt.NDArray[np.uint8]


@dataclass(frozen=True, eq=False)
class ViewMatch:
    """Which view a sample shows, and what to compare it with."""

    motion: CameraMotion
    """The camera's movement from the reference (or from the current view, for a new view)."""
    reference: ViewMemory | None
    """The last sample of the sample's own view, fresh enough to compare with; None: nothing to compare."""
    new_view: bool
    """The sample matches no remembered view (a knock, a new preset)."""
    returned: bool
    """The sample is of a remembered view other than the current one (a dome back on a preset)."""
    views: tuple[ViewMemory, ...]
    """The other views to remember after this sample, newest first."""
    new_views: int
    """New views in a row, this sample included."""

    @property
    def unstable(self) -> bool:
        return self.new_views >= UNSTABLE_AFTER


def same_view(motion: CameraMotion, rules: ScoringConfig) -> bool:
    """The camera's movement is within sway, and the aligned pictures are alike."""
    within_sway = motion.shift_share <= rules.view_change_shift and abs(motion.angle) <= rules.view_change_turn
    return within_sway and (math.isnan(motion.similarity) or motion.similarity >= VIEW_SIMILARITY)


def match_view(
    state: CameraState, grey: Grey, rules: ScoringConfig, fresh: Callable[[dt.datetime | None], bool]
) -> ViewMatch:
    """The view ``grey`` shows, among the current one and the remembered ones. ``fresh``: whether a picture
    taken at that slot may still be compared with (the sampling memory's freshness)."""
    current = ViewMemory(state.grey, state.boxes, state.at)
    motion = estimate_motion(state.grey, grey) if state.grey.shape == grey.shape else None
    if motion is not None and same_view(motion, rules):
        return ViewMatch(motion, current if fresh(current.at) else None, False, False, state.views, 0)
    for k, view in enumerate(state.views):
        if view.grey.shape != grey.shape:
            continue
        back = estimate_motion(view.grey, grey)
        if same_view(back, rules):
            others = (current, *state.views[:k], *state.views[k + 1 :])[:MAX_VIEWS]
            # An unstable camera that passes a view it showed before has not settled: only holding one view
            # from one sample to the next does.
            still_unstable = state.new_views if state.new_views >= UNSTABLE_AFTER else 0
            return ViewMatch(back, view if fresh(view.at) else None, False, True, others, still_unstable)
    others = (current, *state.views)[:MAX_VIEWS]
    if motion is None or not fresh(current.at):
        # A different picture size, or the first sample after a gap: nothing to compare, and no knock either.
        return ViewMatch(motion or CameraMotion(0.0, 0.0, 0.0, grey.shape[1]), None, False, False, others, 0)
    return ViewMatch(motion, None, True, False, others, state.new_views + 1)

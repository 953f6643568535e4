"""Sampling: one camera, one slot -> one Sample (grab, detect, judge the picture, what moved, snapshot)."""

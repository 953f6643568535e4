"""Assignments to responsible units (周交办), tracked to closure (销号): see docs/assignments.md."""

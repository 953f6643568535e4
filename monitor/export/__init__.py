"""The daily assessment: files for the review meetings and records for the scheduling system."""

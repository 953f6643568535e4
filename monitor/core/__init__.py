"""What every stage shares: the values passed between stages, the clock and calendar, redaction, logging."""

"""The day: a site's daily progress score, camera availability, and their storage."""

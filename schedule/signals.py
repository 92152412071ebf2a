"""Signals of the calendar. Reports sit above schedule, so schedule announces
that deadlines of open periods changed and the reports app, listening,
recomputes its rows (schedule never imports reports)."""

from django.dispatch import Signal

# Sent with period_ids (open periods whose deadlines were recomputed) and
# owner_id (the agency whose rule set changed; None: the central set).
due_dates_changed = Signal()

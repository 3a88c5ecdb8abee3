"""Signals of the insights app: other apps react to scoring without insights importing them."""

from django.dispatch import Signal

#: Sent once a scoring run's snapshot has committed; keyword argument ``run`` (ScoreRun).
score_run_succeeded = Signal()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "paretocrm.work"
    label = "work"
    verbose_name = _("Work queues")

    def ready(self) -> None:
        """Connect the task receiver to the insights app's run signal (insights imports no work)."""
        from paretocrm.insights.signals import score_run_succeeded
        from paretocrm.work.signals import on_score_run_succeeded

        score_run_succeeded.connect(on_score_run_succeeded, dispatch_uid="work.raise_tasks")

from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from analysis import receivers

        # Django-Q2 sends post_spawn in every worker it starts, including replacements.
        post_spawn.connect(
            receivers.requeue_batches_of_dead_workers, dispatch_uid="analysis.requeue_batches_of_dead_workers"
        )

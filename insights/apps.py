from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from insights import receivers

        # Django-Q2 sends post_spawn in every worker it starts, including replacements.
        post_spawn.connect(
            receivers.requeue_batches_of_dead_workers, dispatch_uid="insights.requeue_batches_of_dead_workers"
        )

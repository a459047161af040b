from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Users"

    def ready(self):
        from config import checks  # noqa: F401 (registers them)

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Who Said What archive"

    def ready(self):
        from archive import caching  # noqa: F401  (connects the receivers that track changes)

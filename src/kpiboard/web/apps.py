from django.apps import AppConfig


class KpiboardWebConfig(AppConfig):
    name = "kpiboard.web"
    label = "kpiboard"
    verbose_name = "kpiboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the security audit trail's receivers)
        from .two_factor import required_roles

        required_roles()  # a mistyped KPIBOARD_TWO_FACTOR_REQUIRED stops start-up

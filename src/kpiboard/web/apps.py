from django.apps import AppConfig


class KpiboardWebConfig(AppConfig):
    name = "kpiboard.web"
    label = "kpiboard"
    verbose_name = "kpiboard"
    default_auto_field = "django.db.models.BigAutoField"

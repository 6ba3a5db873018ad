from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "luoshi.indicators"
    label = "indicators"
    verbose_name = "量化指标与履职记录"

    def ready(self) -> None:
        # A progress update of a measure may carry an activity record (see services.activity_from_progress).
        from luoshi.indicators import services
        from luoshi.ledger.signals import progress_recorded

        progress_recorded.connect(services.activity_from_progress, dispatch_uid="indicators-progress")

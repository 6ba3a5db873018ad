from django.apps import AppConfig


class RecurrenceConfig(AppConfig):
    name = "luoshi.recurrence"
    label = "recurrence"
    verbose_name = "反复出现的问题"

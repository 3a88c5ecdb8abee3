from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "paretocrm.core"
    label = "core"

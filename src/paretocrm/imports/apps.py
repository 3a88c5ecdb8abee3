from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "paretocrm.imports"
    label = "imports"

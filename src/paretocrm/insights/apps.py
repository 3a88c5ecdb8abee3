from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "paretocrm.insights"
    label = "insights"

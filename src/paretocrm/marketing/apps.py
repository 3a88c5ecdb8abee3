from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "paretocrm.marketing"
    label = "marketing"

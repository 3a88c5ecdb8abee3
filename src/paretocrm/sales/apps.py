from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "paretocrm.sales"
    label = "sales"

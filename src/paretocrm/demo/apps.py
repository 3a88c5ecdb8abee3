from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "paretocrm.demo"
    label = "demo"

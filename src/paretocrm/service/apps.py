from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "paretocrm.service"
    label = "service"

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "paretocrm.customers"
    label = "customers"

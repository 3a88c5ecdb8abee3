from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "paretocrm.users"
    label = "users"

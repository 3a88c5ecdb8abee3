from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "paretocrm.knowledge"
    label = "knowledge"

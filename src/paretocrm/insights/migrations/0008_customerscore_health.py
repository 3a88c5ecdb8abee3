"""Account health and its reasons on each customer score (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0007_score_run_error_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerscore",
            name="health",
            field=models.FloatField(blank=True, null=True, verbose_name="account health (0-100)"),
        ),
        migrations.AddField(
            model_name="customerscore",
            name="health_reasons",
            field=models.JSONField(blank=True, default=list, verbose_name="account health reasons"),
        ),
    ]

"""Tasks raised when account health falls below the threshold (issue 15)."""

from django.db import migrations, models

SIGNALS = [
    ("p_alive_drop", "probability alive fell"),
    ("decline", "moved to decline stage"),
    ("tier_downgrade", "tier downgraded"),
    ("overdue_receivable", "receivable overdue"),
    ("complaint_past_sla", "complaint past SLA"),
    ("contract_renewal", "contract up for renewal"),
    ("dependency", "dependency above threshold"),
    ("potential_ready", "potential customer ready to develop"),
    ("plan_action_overdue", "account plan action overdue"),
    ("case_escalated", "service case escalated (SLA breached)"),
    ("health_low", "account health fell below the threshold"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0005_digest_delivery"),
    ]

    operations = [
        migrations.AlterField(
            model_name="task",
            name="kind",
            field=models.CharField(
                choices=[*SIGNALS, ("manual", "manual task")],
                max_length=32,
                verbose_name="signal",
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="reason_code",
            field=models.CharField(
                blank=True,
                choices=[*SIGNALS, ("portal_complaint", "complaint from the customer portal")],
                max_length=32,
                verbose_name="reason code",
            ),
        ),
    ]

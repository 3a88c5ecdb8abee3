"""Default SLA policies, so a fresh database gives every new case a clock (issue 16, finding 1).

Hours per priority: (first response, resolution). The tier-less row applies to every
customer without a tier-specific row; core and key customers get shorter targets. The rows
are ordinary data: administrators edit or archive them on the SLA policy page. A priority and
tier that already has an active policy is left alone, so upgrading never overwrites a choice.
The table is frozen here on purpose (a migration must not import code that may change).
"""

from django.db import migrations

DEFAULTS = {
    "": {"urgent": (2, 24), "high": (4, 48), "normal": (8, 72), "low": (24, 168)},
    "core": {"urgent": (1, 8), "high": (2, 24), "normal": (4, 48), "low": (8, 72)},
    "key": {"urgent": (1, 12), "high": (3, 36), "normal": (6, 60), "low": (12, 120)},
}


def add_defaults(apps, schema_editor):
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    for tier, rows in DEFAULTS.items():
        for priority, (respond, resolve) in rows.items():
            if SlaPolicy.objects.filter(priority=priority, tier=tier, active=True).exists():
                continue
            SlaPolicy.objects.create(
                priority=priority,
                tier=tier,
                first_response_hours=respond,
                resolution_hours=resolve,
            )


class Migration(migrations.Migration):
    dependencies = [("service", "0005_sla_policy_active")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]

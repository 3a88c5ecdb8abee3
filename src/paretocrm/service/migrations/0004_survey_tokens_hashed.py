"""Store survey link tokens as their SHA-256 digest (QUALITY.md AUTHN-2).

Links already e-mailed keep working: the answer page looks up the digest of the token in
the link. Reversing keeps the digests: the tokens cannot be recovered from them.
"""

import hashlib

from django.db import migrations


def hash_tokens(apps, schema_editor):
    invitations = apps.get_model("service", "SurveyInvitation")
    for invitation in invitations.objects.only("id", "token").iterator():
        hashed = hashlib.sha256(invitation.token.encode()).hexdigest()
        invitations.objects.filter(pk=invitation.pk).update(token=hashed)


class Migration(migrations.Migration):
    dependencies = [
        ('service', '0003_caseevent_note_code_and_params'),
    ]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]

"""Late additions: a bill kind for a month's contributions of memberships added after the month
was billed, and on each billed office-month the mark from which later runs look for them.

Months billed before this migration get today's highest membership id as their mark: what was
registered before now is taken as billed (as it was), and later registrations are caught up."""

from django.db import migrations, models
from django.db.models import F, Max


def mark_billed_months(apps, schema_editor):
    membership = apps.get_model("registry", "Membership")
    chunk = apps.get_model("contributions", "BillingChunk")
    mark = membership.objects.aggregate(m=Max("id"))["m"] or 0
    chunk.objects.update(membership_mark=mark, checked_at=F("finished_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0004_bill_office_index_fillfactor"),
        ("registry", "0007_membership_registered_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="billingchunk",
            name="checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="billingchunk",
            name="membership_mark",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="billingrun",
            name="late",
            field=models.JSONField(blank=True, default=dict, verbose_name="tagihan susulan"),
        ),
        migrations.AlterField(
            model_name="bill",
            name="kind",
            field=models.CharField(
                choices=[
                    ("monthly", "iuran bulanan"),
                    ("late", "iuran susulan"),
                    ("jakon", "iuran proyek jasa konstruksi"),
                    ("pmi", "iuran PMI"),
                ],
                max_length=8,
                verbose_name="jenis",
            ),
        ),
        migrations.RunPython(mark_billed_months, migrations.RunPython.noop),
    ]

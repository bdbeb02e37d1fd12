"""The bill table: one index less, and room on each page for the billing run's amount update.

The billing run inserts a month's bills (≈ 700,000 for the region) and then sets each one's amount
from its lines. With full pages that update writes a new row version elsewhere and a new entry in
each of the bill table's indexes, three of them keyed by payer at random places. With half of each
page left free (PostgreSQL ``fillfactor = 50``), the new version stays on its page and no index is
touched (a HOT update): ``amount`` is in no index. The table takes twice the pages; bills are a
small table next to their lines. ``office_id`` loses its own index: the (office, month) index
serves lookups by office.
"""

import django.db.models.deletion
from django.db import migrations, models


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contributions_bill SET (fillfactor = 50)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contributions_bill RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("contributions", "0003_billline_month_partitions"),
        ("geo", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bill",
            name="office",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geo.office",
                verbose_name="kantor cabang",
            ),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]

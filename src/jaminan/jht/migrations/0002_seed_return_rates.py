"""Seed the declared JHT returns found in ../shared/spec/regulations.md §9 and §13 #25.

Only 2016 was found (7.19%, BPJS President Director, Feb 2017). The 10.10% reported for 2011–2012
(Jamsostek era, low confidence, unclear which year) is not entered: balances from before PP 46/2015
come in as opening balances. Other years are entered by an administrator (audited) when published.
"""

from django.db import migrations

RATES = [
    (
        2016,
        "7.19",
        "BPJS Ketenagakerjaan President Director, Feb 2017 (pasardana.id 2017-02-08; semarak.co); "
        "regulations.md §9, §13 #25",
        "high",
        "Benchmark: 12-month state-bank deposit average 4.88%.",
    ),
]


def seed(apps, schema_editor):
    JhtReturnRate = apps.get_model("jht", "JhtReturnRate")
    for year, percent, source, confidence, note in RATES:
        JhtReturnRate.objects.get_or_create(
            year=year,
            defaults={"percent": percent, "source": source, "confidence": confidence, "note": note},
        )


def unseed(apps, schema_editor):
    JhtReturnRate = apps.get_model("jht", "JhtReturnRate")
    JhtReturnRate.objects.filter(year__in=[r[0] for r in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("jht", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

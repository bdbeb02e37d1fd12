"""Seed the general inflation (December year on year) used for JP indexation, as listed with the
JP minimum/maximum benefit adjustments in ../shared/spec/regulations.md §8.5 (sources and
confidence from that table). 2025 was not found: an administrator enters it (audited)."""

from django.db import migrations

RATES = [
    (2015, "3.35", "krishand.com (JP min/max 2016); regulations.md §8.5", "high"),
    (2016, "3.02", "i-admin (JP min/max 2017); regulations.md §8.5", "high"),
    (2017, "3.61", "regulations.md §8.5 (min/max 2018 derived, consistent with 2019)", "medium"),
    (2018, "3.13", "jimmybudhi.com (JP min/max 2019); regulations.md §8.5", "high"),
    (2019, "2.72", "indoservice (JP min/max 2020); regulations.md §8.5", "high"),
    (2020, "1.68", "regulations.md §8.5 (min/max 2021 derived)", "medium"),
    (2021, "1.87", "regulations.md §8.5 (min/max 2022 derived, consistent with 2023)", "medium"),
    (2022, "5.51", "i-admin; Suara Indonesia (JP min/max 2023); regulations.md §8.5", "high"),
    (2023, "2.61", "Suara Indonesia / Pikiran Rakyat (JP minimum 2024); regulations.md §8.5", "high"),
    (2024, "1.57", "regulations.md §8.5 (2025 min/max derived only)", "low"),
]


def seed(apps, schema_editor):
    InflationRate = apps.get_model("pensions", "InflationRate")
    for year, percent, source, confidence in RATES:
        InflationRate.objects.get_or_create(
            year=year, defaults={"percent": percent, "source": source, "confidence": confidence}
        )


def unseed(apps, schema_editor):
    InflationRate = apps.get_model("pensions", "InflationRate")
    InflationRate.objects.filter(year__in=[r[0] for r in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("pensions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

"""docs/rules.md is generated from the parameters, deterministically, with references."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaminan.rules import parameters
from jaminan.rules.cli import main_rules_docs
from jaminan.rules.docs import format_value, parameter_tables, render_markdown


def test_render_is_deterministic_and_complete() -> None:
    text = render_markdown()
    assert text == render_markdown()
    assert text.startswith("# ")
    assert "Generated" in text and "Do not edit by hand" in text
    for series in parameters.all_parameters():
        assert f"`{series.name}`" in text
        assert f"`{series.file}`" in text
        for value in series.values:
            assert value.start.isoformat() in text
    assert "| parameter | value | from | to | reference | confidence |" in text
    assert "PP 44/2015 Pasal 16(1)a" in text
    assert "§14 item 1" in text  # open points stay visible
    assert "`contribution.pu`" in text and "**risk_group**" in text


def test_rate_and_money_formatting() -> None:
    from decimal import Decimal

    assert format_value("rate", Decimal("0.0024")) == "0.24%"
    assert format_value("rate", Decimal("1")) == "100%"
    assert format_value("money", 7_000_000) == "Rp7,000,000"
    assert format_value("money", (50_000, 100_000)) == "Rp50,000, Rp100,000"


def test_parameter_tables_languages() -> None:
    id_tables = parameter_tables("id")
    en_tables = parameter_tables("en")
    assert [t["file"] for t in id_tables] == [t["file"] for t in en_tables]
    files = {t["file"] for t in en_tables}
    assert {
        "pu.yaml",
        "bpu.yaml",
        "jakon.yaml",
        "pmi.yaml",
        "relief.yaml",
        "due_dates.yaml",
    } <= files
    pu_id = next(t for t in id_tables if t["file"] == "pu.yaml")
    pu_en = next(t for t in en_tables if t["file"] == "pu.yaml")
    first_id, first_en = pu_id["parameters"][0], pu_en["parameters"][0]
    assert first_id["name"] == first_en["name"]
    assert first_id["description"] != first_en["description"]
    row = first_en["values"][0]
    assert set(row) == {"value", "from", "to", "reference", "confidence", "note"}
    with pytest.raises(ValueError):
        parameter_tables("fr")


def test_cli_writes_docs(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "rules.md"
    assert main_rules_docs(target) == 0
    assert target.read_text(encoding="utf-8") == render_markdown()


def test_committed_docs_rules_md_is_current() -> None:
    """docs/rules.md must be regenerated (`jaminan rules docs`) whenever a parameter changes."""
    committed = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert committed.exists(), "docs/rules.md is missing: run `jaminan rules docs`"
    assert committed.read_text(encoding="utf-8") == render_markdown(), (
        "docs/rules.md is stale: run `jaminan rules docs` and commit the result"
    )

"""Boundaries of ARCHITECTURE.md that a test can hold."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "jaminan"


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_rules_imports_nothing_of_django_or_the_project() -> None:
    files = list((SRC / "rules").rglob("*.py"))
    assert files, "jaminan/rules is missing"
    offenders = [
        f"{path.relative_to(SRC)}: {name}"
        for path in files
        for name in _imports(path)
        if name.split(".")[0] == "django"
        or (name.startswith("jaminan.") and not name.startswith("jaminan.rules"))
    ]
    assert offenders == []


def test_registry_imports_nothing_of_the_apps_built_on_it() -> None:
    """registry → geo only: contributions, claims (and the apps above them) reach the person page
    through registry.panels, never by registry importing them (also inside functions)."""
    above = ("contributions", "claims", "jht", "pensions", "coverage")
    files = list((SRC / "registry").rglob("*.py"))
    assert files, "jaminan/registry is missing"
    offenders = [
        f"{path.relative_to(SRC)}: {name}"
        for path in files
        for name in _imports(path) + _from_jaminan_imports(path)
        if any(name == f"jaminan.{app}" or name.startswith(f"jaminan.{app}.") for app in above)
    ]
    assert offenders == []


def _from_jaminan_imports(path: Path) -> list[str]:
    """``from jaminan import contributions`` as ``jaminan.contributions``."""
    return [
        f"jaminan.{alias.name}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module == "jaminan" and node.level == 0
        for alias in node.names
    ]


def test_rules_package_imports_without_django_installed_in_sys_modules() -> None:
    code = (
        "import sys, jaminan.rules, jaminan.rules.batch;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "[m for m in sys.modules if m.startswith('django')]"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr


def test_production_profile_passes_check_deploy(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "JAMINAN_PROFILE": "production",
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-like-secret-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "jaminan.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "jaminan", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_missing_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(JAMINAN_PROFILE="production", ALLOWED_HOSTS="x.example.org")
    result = subprocess.run(
        [sys.executable, "-m", "jaminan", "check"], capture_output=True, text=True, env=env
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr

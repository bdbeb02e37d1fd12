"""The ``jaminan`` command: Django's management entry point with jaminan's settings."""

from __future__ import annotations

import os
import sys

# Command-line spellings that are not valid Python module names.
COMMAND_ALIASES = {"import": "import_data"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaminan.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        # Subcommands are spelled with hyphens on the command line (load-reference) and with
        # underscores as Django command modules (load_reference).
        args[0] = COMMAND_ALIASES.get(args[0], args[0].replace("-", "_"))
    execute_from_command_line(["jaminan", *args])


if __name__ == "__main__":
    main()

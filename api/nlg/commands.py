"""The catalogs' command line for editors and the build: `python -m api.nlg.commands update|compile|check|receives|init LANG`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from api.core.config import PROJECT_ROOT, get_settings
from api.nlg import check, receives, tools


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.nlg.commands", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="write locales/messages.pot from locales/source.yml")
    commands.add_parser("update", help="extract, then merge the template into every catalog")
    commands.add_parser("compile", help="build a .mo next to every .po")
    check = commands.add_parser("check", help="coverage per language; exit 1 on a problem")
    check.add_argument("--domain", type=Path, default=PROJECT_ROOT / "bot" / "domain.yml",
                       help="the Rasa domain whose responses must all exist")
    commands.add_parser("receives", help="per language, the share of messages a person gets in it (text, audio)")
    init = commands.add_parser("init", help="start the catalog of a new language")
    init.add_argument("language")
    return parser


def main(argv: list[str] | None = None) -> int:
    """`update` (extract the template, merge it into every catalog), `compile`, `check`, `init LANG`."""
    args = _parser().parse_args(argv)
    locales_dir = get_settings().locales_dir
    if args.command == "check":
        return check.run_check(locales_dir, args.domain)
    if args.command == "receives":
        return receives.run_report(locales_dir)
    if args.command in ("extract", "update"):
        tools.extract_template(locales_dir)
    if args.command == "update":
        tools.update_catalogs(locales_dir)
    elif args.command == "compile":
        tools.compile_catalogs(locales_dir)
    elif args.command == "init":
        tools.init_catalog(locales_dir, args.language)
    return 0


if __name__ == "__main__":
    sys.exit(main())

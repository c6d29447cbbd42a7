"""``python -m shared_contracts export|check DIRECTORY``: write or verify the JSON Schemas."""

import argparse
import sys
from pathlib import Path

from shared_contracts.schemas import EXPORT_HINT, check_schemas, export_schemas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared_contracts", description=__doc__)
    parser.add_argument("command", choices=["export", "check"])
    parser.add_argument("directory", type=Path, help="where the schema files live, e.g. docs/events/schemas")
    arguments = parser.parse_args(argv)
    if arguments.command == "export":
        written = export_schemas(arguments.directory)
        print(f"wrote {len(written)} schemas to {arguments.directory}")
        return 0
    differences = check_schemas(arguments.directory)
    if differences:
        print(f"schemas in {arguments.directory} differ from the models:", file=sys.stderr)
        for difference in differences:
            print(f"  {difference}", file=sys.stderr)
        print(f"regenerate them with: {EXPORT_HINT}", file=sys.stderr)
        return 1
    print(f"schemas in {arguments.directory} are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())

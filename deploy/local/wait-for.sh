#!/usr/bin/env bash
# wait-for.sh KIND TARGET [SECONDS]: see wait_for.py
here=$(cd "$(dirname "$0")" && pwd)
exec uv run --project "$here/../.." --frozen python "$here/wait_for.py" "$@"

"""The benchmark modules import each other as scripts do (their folder on sys.path), so the tests
of the tooling here can import them the same way."""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

"""`python -m gateway [serve|migrate|clients ...|openapi ...]`"""

import sys

from gateway.bootstrap import definition
from gateway.config import Settings
from shared_runtime import main

settings = Settings()
main(definition(settings), settings, sys.argv[1:])

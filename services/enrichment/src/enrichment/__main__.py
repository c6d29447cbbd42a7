"""`python -m enrichment [serve|migrate]`"""

import sys

from enrichment.bootstrap import definition
from enrichment.config import Settings
from shared_runtime import main

settings = Settings()
main(definition(settings), settings, sys.argv[1:])

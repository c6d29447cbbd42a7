"""`python -m enrichment [serve|migrate]`"""

import sys

from shared_runtime import main

from enrichment.bootstrap import definition
from enrichment.config import Settings

main(definition(), Settings(), sys.argv[1:])

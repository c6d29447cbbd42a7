"""`python -m gateway [serve|migrate]`"""

import sys

from shared_runtime import main

from gateway.bootstrap import definition
from gateway.config import Settings

main(definition(), Settings(), sys.argv[1:])

"""`python -m inventory [serve|migrate]`"""

import sys

from shared_runtime import main

from inventory.bootstrap import definition
from inventory.config import Settings

main(definition(), Settings(), sys.argv[1:])

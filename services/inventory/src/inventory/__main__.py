"""`python -m inventory [serve|migrate]`"""

import sys

from inventory.bootstrap import definition
from inventory.config import Settings
from shared_runtime import main

main(definition(), Settings(), sys.argv[1:])

"""`python -m appointment [serve|migrate]`"""

import sys

from shared_runtime import main

from appointment.bootstrap import definition
from appointment.config import Settings

main(definition(), Settings(), sys.argv[1:])

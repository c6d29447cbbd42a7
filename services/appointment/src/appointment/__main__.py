"""`python -m appointment [serve|migrate]`"""

import sys

from appointment.bootstrap import definition
from appointment.config import Settings
from shared_runtime import main

main(definition(), Settings(), sys.argv[1:])

"""`python -m fulfillment [serve|migrate]`"""

import sys

from fulfillment.bootstrap import definition
from fulfillment.config import Settings
from shared_runtime import main

main(definition(), Settings(), sys.argv[1:])

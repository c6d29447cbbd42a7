"""`python -m fulfillment [serve|migrate]`"""

import sys

from shared_runtime import main

from fulfillment.bootstrap import definition
from fulfillment.config import Settings

main(definition(), Settings(), sys.argv[1:])

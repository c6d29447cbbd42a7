"""`python -m shared_messaging topics create ...`: the package's command line."""

import sys

from shared_messaging.topics import main

if __name__ == "__main__":
    if sys.argv[1:2] != ["topics"]:
        sys.exit("usage: python -m shared_messaging topics create [--bootstrap ...] [--partitions N]")
    sys.exit(main(sys.argv[2:]))

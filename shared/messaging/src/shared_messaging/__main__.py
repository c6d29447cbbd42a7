"""`python -m shared_messaging topics create ...` and `python -m shared_messaging dlq list|replay ...`."""

import sys

from shared_messaging import dlq_replay, topics

USAGE = "usage: python -m shared_messaging topics create [...] | dlq list|replay TOPIC [...]"

if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["topics"]:
        sys.exit(topics.main(sys.argv[2:]))
    if command == ["dlq"]:
        sys.exit(dlq_replay.main(sys.argv[2:]))
    sys.exit(USAGE)

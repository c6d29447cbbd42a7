"""Pure logic of the edge: clients and roles, secret hashing, token buckets, fingerprints, routing."""

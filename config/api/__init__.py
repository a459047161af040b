"""HTTP plumbing shared by every app: auth, routing, envelopes, query parsing, errors."""

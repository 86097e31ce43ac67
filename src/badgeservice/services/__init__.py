"""Use cases. Services take a Session, ``flush()`` their changes, and never commit: the caller
(an endpoint or CLI command) commits as its last step."""

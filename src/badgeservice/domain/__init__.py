"""Open Badges 3.0 documents and rules, as pure functions over values."""

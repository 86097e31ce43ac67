"""Verifiable-credential engine: Data Integrity, VC-JWT, DIDs, status lists, baking (pure)."""

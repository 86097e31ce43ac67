"""Public, unauthenticated surfaces: pages, JSON-LD documents, images."""

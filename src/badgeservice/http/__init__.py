"""The HTTP edge shared by the API and the public pages: request dependencies,
problem+json, middleware."""

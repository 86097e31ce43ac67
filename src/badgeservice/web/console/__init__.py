"""The issuer console (placeholder until the lead's foundation is merged)."""

"""The issuer console (``/console``)."""

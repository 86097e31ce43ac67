"""The JSON REST API under `/api/v1` and the operational endpoints."""

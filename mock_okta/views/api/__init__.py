"""The Management API (`/api/v1`) and the org's public endpoints."""

"""SonarQube's SCIM 2.0 server at /api/scim/v2 (RFC 7643/7644, reference/sonarqube.md §3)."""

"""SonarQube's SCIM 2.0 server at /api/scim/v2 (RFC 7643/7644, reference/sonarqube.md §3).

`service` runs each SCIM operation on SonarQube's users and groups, `resources` maps rows to
SCIM resources and back, `filters` parses the two filters SonarQube understands, `models` the
payloads it accepts, `discovery` the discovery documents, `faults` the injected failures. The
HTTP layer is `mock_sonar/views/scim.py`.
"""

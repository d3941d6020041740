"""Okta's SCIM checks against any SCIM 2.0 server (`mock-okta scim-check`).

The requests are the push engine's own (mock_okta.provisioning), driven through a throwaway
org; the checker adds only the probes of Okta's SCIM test plan that the push never sends,
labelled as the checker's in the report.
"""

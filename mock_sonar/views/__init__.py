"""The HTTP layer: each view parses the request, makes one domain call and renders the answer.

`api/` is the Web API (v1 and v2), `ui/` the browser pages, `saml.py` and `scim.py` the SAML
service provider's and the SCIM server's endpoints, `control.py` the `/_mock` control plane;
`hooks.py` authenticates Web API calls and renders errors, `common.py` holds what they share.
"""

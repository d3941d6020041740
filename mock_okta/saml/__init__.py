"""Okta's SAML 2.0 IdP: keys and metadata, incoming AuthnRequests, the signed Response, SLO."""

"""The end user's pages: sign-in, dashboard, and the SAML endpoints of each app."""

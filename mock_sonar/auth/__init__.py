"""How a caller proves who they are: the credentials of a request (`principal`), a login with
SonarQube's own credentials (`login`), and the other identity providers (`identity_providers`).
SAML, the one external provider simulated, is the `saml` package."""

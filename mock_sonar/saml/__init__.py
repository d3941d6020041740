"""SonarQube as a SAML 2.0 service provider (reference §5), one job per module.

`settings` reads `sonar.auth.saml.*`; `configuration_form` is the SAML tab that edits them;
`service_provider` builds the AuthnRequest and authenticates a response, with the checks of
`response_checks` and the XML signatures and decryption of `xml`; `login` turns an
authenticated response into a SonarQube user and session, and `oauth` keeps the login
filters' cookies (CSRF state, return_to, the error shown); `validation` is the "Test
configuration" report; `sp_keys` makes SonarQube's own key pair. The HTTP endpoints are in
`mock_sonar/views/saml.py`.
"""

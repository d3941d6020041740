"""Storage and time plumbing shared by both simulators (no protocol code lives here)."""

#: The distribution both apps ship in: `--version` and `/_mock/status` report its version.
DISTRIBUTION = "okta-sonar-devenv"

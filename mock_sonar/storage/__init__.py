"""Storage plumbing of the app: the numbered schema migrations and SonarQube-style ids."""

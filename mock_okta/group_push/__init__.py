"""Group Push: which Okta groups are pushed to an app, by name (mappings) or by rule."""

"""Applications: apps and their sign-on settings, app features (provisioning switches), and who is
assigned to each app (app users, app groups)."""

"""SonarQube's accounts: users, groups and their members, permissions, credentials (passwords,
tokens, browser sessions) and the managed-instance rules, one table owner per module.

The state of a fresh instance is `bootstrap`; the lists the admin pages show are `listings`.
"""

"""The Universal Directory: users, groups, memberships, group rules and the Expression Language.

Modules here change only their own tables and report what changed; the consequences of a change
elsewhere (app assignments, rule memberships, pushes) are applied by `mock_okta.reactions`.
"""

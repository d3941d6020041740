"""SonarQube's accounts: users, groups and their members, global permissions, credentials
(passwords, tokens, browser sessions), deactivation and the managed-instance rules.

Each table has one owner module, the only one that writes it and the one the others call to
read it: `users`, `groups`, `memberships` (groups_users), `permissions`, `tokens`
(user_tokens), `sessions`, `scim_mapping` (scim_users, scim_groups). The searches and
`listings` join these tables in SQL to answer a page in one query; they only read. A fresh
instance's state is `bootstrap`.
"""

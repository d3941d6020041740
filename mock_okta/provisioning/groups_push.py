"""Push Groups: create or link, memberships, rename, Push Now, unlink (§2). Being written."""

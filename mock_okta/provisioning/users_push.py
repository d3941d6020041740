"""Pushing users: create or link, profile updates, deactivation (§1). Being written."""

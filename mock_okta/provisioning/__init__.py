"""Okta's SCIM client: the connection, the push engine and its delivery worker.

Changes that cause SCIM traffic wait in the outbox (`provisioning_events`); the worker
delivers them in order, one resource at a time, with Okta's error handling (reference/okta.md
§1-§4).
"""

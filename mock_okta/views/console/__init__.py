"""The Admin Console (`/admin`): server-rendered pages, one blueprint per area."""

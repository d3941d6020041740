"""Storage and time plumbing shared by both simulators (no protocol code lives here)."""

"""The web front-end: a FastAPI app (JSON API + chat page) that translates the core's events."""

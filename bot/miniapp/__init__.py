"""The Mini App: a visual timer page for the session, its API, and its server."""

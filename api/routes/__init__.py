"""HTTP routers of the API; each module exposes `router`."""

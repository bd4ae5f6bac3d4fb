"""How the assistant stops keeping what it holds about a person: erasure on request, retention limits."""

"""What the assistant keeps about a person, and how it stops keeping it: redaction, erasure, retention."""

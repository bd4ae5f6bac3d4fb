"""What the assistant keeps about a person: redaction at intake, captured callback numbers, media to delete at Twilio.

How it stops keeping it (erasure on request, retention limits) is api/forgetting, which builds on this package.
"""

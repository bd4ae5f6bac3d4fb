"""Referral backend: hotline cases, triage, operators and the handoff with the gateways."""

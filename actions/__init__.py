"""The Rasa SDK action server (`rasa run actions --actions actions`): actions split by topic."""

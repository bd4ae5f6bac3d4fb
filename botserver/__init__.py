"""The Rasa server's private face: a REST channel that wants a secret, and the launcher `python -m botserver`."""

"""Recorded audio answers: one clip per (message id, language), validated, stored under the media folder."""

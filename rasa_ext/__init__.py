"""Extensions the Rasa server loads from bot/endpoints.yml (stores that several instances share)."""

"""Local stand-ins for the clouds the gateways talk to (Telegram Bot API, Twilio REST API, Rasa)."""

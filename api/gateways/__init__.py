"""Channel gateways: turn Telegram, WhatsApp, voice and web chat into conversations with Rasa."""

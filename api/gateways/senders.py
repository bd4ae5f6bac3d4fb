"""Which channels' outbox messages a process delivers: the same set in the API and in a worker process."""

from __future__ import annotations

from api.core.config import Settings
from api.gateways import telegram, telegram_sending, whatsapp
from api.gateways.webchat import CHANNEL as WEBCHAT
from api.gateways.webchat import deliver_to_webchat
from api.outbox.delivery import register_sender, registered_channels


def register_channel_senders(settings: Settings) -> list[str]:
    """Register the sender of every configured channel; returns the channels this process delivers.

    Telegram in long-polling mode is left out: the bridge process (`python -m api.gateways.telegram`)
    delivers its messages instead.
    """
    if settings.webchat_enabled:
        register_sender(WEBCHAT, deliver_to_webchat)
    if settings.twilio_account_sid and settings.twilio_whatsapp_from:
        register_sender(whatsapp.CHANNEL, whatsapp.send_whatsapp)
    if settings.telegram_bot_token and settings.telegram_use_webhook:
        register_sender(telegram_sending.CHANNEL, telegram.deliver_via_shared_application)
    return registered_channels()

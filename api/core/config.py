"""Settings of the app side, read once from the environment (one place, laptop defaults)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Laptop values, accepted only with APP_ENV=development (api/core/secrets.py refuses them otherwise).
DEV_SECRET_KEY = "dev-only-change-me-0123456789abcdef0123456789abcdef"
DEV_SERVICE_TOKEN = "dev-service-token"
DEV_RASA_AUTH_TOKEN = "dev-only-rasa-auth-token"
DEV_NLG_TOKEN = "dev-only-nlg-token"
DEV_ACTION_SERVER_TOKEN = "dev-only-action-server-token"


class Settings(BaseSettings):
    """Every knob of the API, gateways and console; each field is an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- storage
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}"

    # --- this process (`python -m api.server`) and the other processes
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated
    # IPs or CIDRs, "*" for any). Empty: none, the client is the TCP peer (rate limits key on it).
    forwarded_allow_ips: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    api_url: str = "http://127.0.0.1:8000"
    public_base_url: str = "http://localhost:8000"
    rasa_timeout_seconds: float = 30.0
    # How many bot turns this API process has with Rasa at once (api/gateways/bot_turns.py); the
    # others wait for a slot in arrival order, at most rasa_timeout_seconds. Unset: 2 x cores + 1.
    bot_turns_in_flight: int | None = Field(default=None, ge=1)
    # The one HTTP client each API process shares for its calls to Rasa and the action server
    # (api/core/http_client.py): pool limits, and the timeout of a call that sets none itself.
    http_max_connections: int = 100
    http_max_keepalive_connections: int = 50
    http_timeout_seconds: float = 10.0
    http_connect_timeout_seconds: float = 3.0
    # Rasa's SQLite tracker store (bot/endpoints.yml): a person's /forget deletes their conversation there.
    rasa_tracker_db: str = str(PROJECT_ROOT / "var" / "rasa-tracker.db")
    # Rasa's tracker store when it is not that SQLite file: a PostgreSQL URL
    # (postgresql://user@host:5432/rasa), shared by several Rasa instances (bot/endpoints.yml, the
    # production profile); erasure and retention delete Rasa's events through it.
    rasa_tracker_url: str = ""

    # --- secrets and development mode (checked at start by api/core/secrets.py)
    # "development" accepts the laptop defaults below; anything else (the default) refuses to start
    # with a missing, published or short secret. `make run` writes strong ones to .env.
    app_env: str = "production"
    # Keys the pseudonyms (HMAC of channel ids): keep it stable, a new one gives everyone a new conversation id.
    secret_key: str = DEV_SECRET_KEY
    # Fernet keys for channel ids and phone numbers at rest, comma-separated: the first encrypts, every
    # one decrypts (rotation: put a new key first, run `python -m api.cli rotate-encryption`, drop the old).
    # Empty is allowed only in development mode, where a key is derived from secret_key.
    encryption_keys: str = Field(default="", validation_alias=AliasChoices("encryption_keys", "encryption_key"))
    # The action server's bearer token for the referral API.
    service_token: str = DEV_SERVICE_TOKEN
    # Rasa's HTTP API token (`--auth-token`) and the shared secret of its REST channel (botserver/).
    rasa_auth_token: str = DEV_RASA_AUTH_TOKEN
    # The bearer token Rasa sends to the NLG endpoint (bot/endpoints.yml).
    nlg_token: str = DEV_NLG_TOKEN
    # The bearer token the action server wants (actions/server.py); the API's readiness check sends it.
    action_server_token: str = DEV_ACTION_SERVER_TOKEN

    # --- content
    locales_dir: Path = PROJECT_ROOT / "locales"
    data_dir: Path = PROJECT_ROOT / "data"
    default_language: str = "fr"
    # Editors' recorded answers (api/audio): the files, and the limits of an upload.
    audio_dir: Path = PROJECT_ROOT / "var" / "audio"
    audio_max_seconds: int = Field(default=120, ge=1)
    # 16 MB: two minutes of the WAV a recorder exports (48 kHz mono) fits; compressed files are far smaller.
    audio_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    # How long a worker may send from its index of clips before reading it again (api/audio/index.py).
    audio_index_seconds: float = Field(default=10, ge=0)

    # --- services directory (api/directory)
    # Past this distance no place is listed: the person is told nothing is known nearby, and offered the hotline.
    directory_max_km: float = 50.0
    # The console's "town" filter lists the places within this distance of the town centre.
    directory_town_radius_km: float = 30.0

    # --- telegram
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    telegram_use_webhook: bool = False

    # --- twilio (WhatsApp and voice)
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_whatsapp_from: str = ""
    twilio_api_base: str = ""

    # --- the association's hotline number, told to a person when the assistant cannot answer
    # (api/gateways/safety.py). Empty: unknown, and no number is ever made up.
    hotline_phone: str = ""

    # --- voice hotline (api/gateways/voice.py)
    # Opening hours of the phone hotline in hotline_timezone, e.g. "mon-fri 09:00-17:00; sat 09:00-13:00".
    # Empty means the hours are unknown: callers are always offered to leave a message.
    hotline_hours: str = ""
    hotline_timezone: str = "Africa/Casablanca"
    # A TaskRouter workflow orders waiting calls by priority; empty: one Twilio queue per triage level.
    twilio_voice_workflow_sid: str = ""
    twilio_voice_queue_prefix: str = "hotline"
    voice_max_wait_seconds: int = 300
    voice_max_recording_seconds: int = 120

    # --- editors' workspace (api/editor): a factual text is listed for a new review once its last one is older
    editor_review_max_age_days: int = Field(default=365, ge=1)
    # "Was this helpful?" (api/gateways/helpful.py): asked with an answer to a health or rights question at most
    # once in this many minutes per conversation, so a person asking several questions is not asked each time.
    helpful_question_minutes: int = Field(default=30, ge=0)

    # --- web chat
    webchat_enabled: bool = True

    # --- referral backend and operator console (api/cases, api/auth)
    # Per client address, shared by the console form and the JSON login (and the password change).
    login_rate_limit: str = "10/minute"
    # slowapi storage; "redis://host:6379" shares login limits between API processes.
    rate_limit_storage_uri: str = "memory://"
    # Server-side sessions (table operator_session): absolute lifetime of a login.
    console_session_max_age_seconds: int = 8 * 3600
    # Lockout per client address and account (api/auth/throttle.py): after login_max_failures wrong
    # passwords that pair waits login_lockout_seconds, doubling at each further failure up to the maximum.
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
    login_lockout_max_seconds: int = 3600
    # Service levels: the longest a case of each triage level should wait before an operator takes it
    # (minutes); the queue highlights a case past its target and the supervisor board counts it.
    sla_emergency_minutes: int = Field(default=2, ge=1, le=10080)
    sla_violence_minutes: int = Field(default=10, ge=1, le=10080)
    sla_vulnerable_minutes: int = Field(default=30, ge=1, le=10080)
    sla_other_minutes: int = Field(default=240, ge=1, le=10080)
    # Times in the console are shown in this IANA zone unless an operator chose another.
    console_time_zone: str = "Africa/Casablanca"

    # --- privacy: how long things are kept (api/forgetting/retention.py, docs/privacy.md)
    # A conversation with the bot only (no open case): its messages, chat history and channel
    # identity go this many days after the person's last message.
    retention_bot_conversation_days: int = Field(default=30, ge=1)
    # A finished case becomes anonymous statistics this many days after it was closed.
    retention_closed_case_days: int = Field(default=90, ge=1)
    # A number the person typed that no callback request took is forgotten after this many days.
    retention_captured_number_days: int = Field(default=7, ge=1)
    # How often the API's worker applies the limits (`make purge` applies them at once).
    retention_interval_seconds: int = Field(default=3600, ge=1)

    # --- operational
    log_level: str = "INFO"
    # The outboxes and scheduled jobs (api/worker.py) run inside every API process unless a separate
    # `python -m api.worker` runs them (the production profile sets this to false). Either way each
    # round runs once across processes.
    background_jobs_in_api: bool = True
    allowed_origins: list[str] = Field(default_factory=list)


def tracker_store_url(settings: Settings) -> str:
    """The SQLAlchemy URL of Rasa's tracker store: RASA_TRACKER_URL, else the SQLite file."""
    return settings.rasa_tracker_url or f"sqlite:///{settings.rasa_tracker_db}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests clear the cache after changing the environment."""
    return Settings()


async def settings_on_the_loop() -> Settings:
    """`get_settings` as a dependency of the hot routes: a coroutine, so FastAPI does not hand a
    plain function to the thread pool on every request (Rasa's `/nlg`, once per response)."""
    return get_settings()

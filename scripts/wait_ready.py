"""Shows start-up progress until every service answers, then says where to go (run by deploy/profile.py)."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

API_URL = os.environ.get("API_URL", "http://127.0.0.1:8000")
PUBLIC_URL = os.environ.get("PUBLIC_BASE_URL", API_URL)
TIMEOUT_SECONDS = float(os.environ.get("READY_TIMEOUT", "600"))


def readiness() -> dict:
    """The /readyz body, or a not-ready stand-in while the API itself is starting."""
    try:
        with urllib.request.urlopen(f"{API_URL}/readyz", timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            return json.load(exc)
        except ValueError:  # the load balancer's own error page: no API worker is up yet
            return {"failing": ["api"]}
    except (urllib.error.URLError, OSError, ValueError):
        return {"failing": ["api"]}


def main() -> int:
    started = time.monotonic()
    print("Starting: Rasa takes about 70 s to load its model; waiting for every service...", flush=True)
    while True:
        failing = readiness().get("failing", ["api"])
        elapsed = time.monotonic() - started
        if not failing:
            print(f"\nReady after {elapsed:.0f} s.\n"
                  f"  Web chat:          {PUBLIC_URL}/chat\n"
                  f"  Operator console:  {PUBLIC_URL}/console\n"
                  f"  API docs:          {PUBLIC_URL}/docs\n"
                  f"  Health:            {PUBLIC_URL}/readyz\n"
                  "A process that dies is restarted; press Ctrl-C to stop them all.", flush=True)
            return 0
        if elapsed > TIMEOUT_SECONDS:
            print(f"Still not ready after {elapsed:.0f} s; not answering: {', '.join(failing)}", flush=True)
            return 1
        print(f"  ... {elapsed:3.0f} s, waiting for: {', '.join(failing)}", flush=True)
        time.sleep(5)


if __name__ == "__main__":
    sys.exit(main())

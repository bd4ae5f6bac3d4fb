"""The service directory (data/services.yml) as a list operators pick a referral from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def load_services(path: Path) -> list[dict[str, str]]:
    """Services as {id, name, kind, city}; an absent or unreadable file gives an empty list (free text still works)."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    items = data.get("services", []) if isinstance(data, dict) else data
    services: list[dict[str, str]] = []
    for item in items or []:
        if not isinstance(item, dict) or not item.get("id"):
            continue
        name = item.get("name")
        if isinstance(name, dict):  # names translated per language: operators read French
            name = name.get("fr") or next(iter(name.values()), "")
        services.append({"id": str(item["id"]), "name": str(name or item["id"]),
                         "kind": str(item.get("kind") or item.get("type") or ""),
                         "city": str(item.get("city") or "")})
    return services

"""Bot API wire format: parameter decoding, error type and response envelopes."""

from __future__ import annotations

import json
from typing import Any

# PTB form-encodes every non-string value as JSON text, so the server must know which keys
# carry numbers, booleans or JSON structures to turn them back into Python values.
INT_KEYS = frozenset(
    {"chat_id", "message_id", "reply_to_message_id", "offset", "limit", "from_chat_id",
     "user_id", "width", "height", "duration", "cache_time", "max_connections"}
)  # fmt: skip
FLOAT_KEYS = frozenset({"timeout", "latitude", "longitude"})
BOOL_KEYS = frozenset(
    {"show_alert", "disable_notification", "protect_content", "drop_pending_updates",
     "disable_web_page_preview", "allow_sending_without_reply", "has_spoiler",
     "disable_content_type_detection", "supports_streaming", "allow_paid_broadcast"}
)  # fmt: skip
JSON_KEYS = frozenset(
    {"reply_markup", "entities", "caption_entities", "reply_parameters", "link_preview_options",
     "commands", "scope", "allowed_updates", "media", "menu_button"}
)  # fmt: skip


class ApiError(Exception):
    """A Bot API error answer (HTTP status, description, optional response parameters)."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """Build a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def ok_payload(result: Any) -> dict[str, Any]:
    """Wrap a successful method result."""
    return {"ok": True, "result": result}


def _coerce(key: str, value: Any) -> Any:
    """Turn one transported value back into the type the Bot API expects for `key`."""
    if not isinstance(value, str):
        return value  # already typed (JSON body)
    try:
        if key in INT_KEYS:
            # chat_id may legitimately be "@channelname", so a non-number stays a string
            return int(value) if value.lstrip("-").isdigit() else value
        if key in FLOAT_KEYS:
            return float(value)
        if key in BOOL_KEYS:
            return value.lower() in ("true", "1")
        if key in JSON_KEYS:
            return json.loads(value)
    except (ValueError, json.JSONDecodeError) as exc:
        if key == "reply_markup":
            raise bad_request("can't parse reply keyboard markup JSON object") from exc
        raise bad_request(f"can't parse {key} JSON object") from exc
    return value


def decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode form, multipart or JSON body values into typed Bot API parameters."""
    return {key: _coerce(key, value) for key, value in raw.items()}


def parse_json_body(body: bytes) -> dict[str, Any]:
    """Parse an application/json request body, rejecting anything but an object."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("can't parse JSON object") from exc
    if not isinstance(data, dict):
        raise bad_request("JSON object expected")
    return data

"""The opaque paging cursor of ``/signals``: the sort and the key of the last row seen,
base64url-encoded JSON. Clients pass it back unchanged; its content is not a contract.

    encode_cursor(SignalKey) -> str      decode_cursor(str) -> SignalKey (CursorError if broken)
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime

from api.errors import ApiError
from storage.read_models import SORT_KEYS, SignalKey

#: A cursor is a few dozen characters; anything much longer is not one of ours.
MAX_CURSOR_LENGTH = 200


class CursorError(ApiError, ValueError):
    """The cursor was not made by this API (or was cut or changed)."""


def encode_cursor(key: SignalKey) -> str:
    value = key.value.isoformat() if isinstance(key.value, datetime) else float(key.value)
    raw = json.dumps({"s": key.sort, "v": value, "i": key.item_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> SignalKey:
    if not text or len(text) > MAX_CURSOR_LENGTH:
        raise CursorError("invalid cursor: pass back the next_cursor of a previous page unchanged")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
        sort, value, item_id = data["s"], data["v"], data["i"]
        if sort not in SORT_KEYS or not isinstance(item_id, int) or isinstance(item_id, bool) or item_id < 0:
            raise ValueError("bad fields")
        if sort == "time":
            when = datetime.fromisoformat(value)
            if when.tzinfo is None:
                raise ValueError("naive time")
            return SignalKey(sort, when.astimezone(UTC), item_id)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError("bad score")
        return SignalKey(sort, float(value), item_id)
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise CursorError("invalid cursor: pass back the next_cursor of a previous page unchanged") from exc

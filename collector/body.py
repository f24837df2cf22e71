"""Reading a response body within a size limit, counted after decompression.

The collector asks for ``gzip, deflate`` and decompresses itself, chunk by chunk, with zlib's
``max_length`` so a gzip bomb is refused after ``max_bytes`` of output instead of being
inflated in memory first.
"""

from __future__ import annotations

import zlib

from collector.errors import CollectorError

SUPPORTED_CODINGS = ("gzip", "x-gzip", "deflate", "identity")
ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(CollectorError):
    pass


class BadContentEncoding(CollectorError):
    pass


class BoundedBodyDecoder:
    """Feed it the raw (possibly compressed) chunks; it keeps at most ``max_bytes`` decoded."""

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in SUPPORTED_CODINGS):
            raise BadContentEncoding(f"unsupported Content-Encoding {content_encoding!r}")
        self.coding = codings[0] if codings else None
        self.max_bytes = max_bytes
        self.raw_bytes = 0
        self._parts: list[bytes] = []
        self._size = 0
        self._inflater = self._new_inflater() if self.coding else None
        self._first_chunk = True

    def _new_inflater(self, raw_deflate: bool = False):
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> None:
        self.raw_bytes += len(chunk)
        if self._inflater is None:
            self._append(chunk)
            return
        try:
            self._inflate(chunk)
        except zlib.error as exc:
            if self.coding == "deflate" and self._first_chunk:
                # Some servers (old IIS) send raw deflate without the zlib header.
                self._inflater = self._new_inflater(raw_deflate=True)
                try:
                    self._inflate(chunk)
                except zlib.error as again:
                    raise BadContentEncoding(f"corrupt deflate data: {again}") from again
            else:
                raise BadContentEncoding(f"corrupt {self.coding} data: {exc}") from exc
        self._first_chunk = False

    def _inflate(self, data: bytes) -> None:
        while data:
            out = self._inflater.decompress(data, self.max_bytes - self._size + 1)
            self._append(out)
            data = self._inflater.unconsumed_tail
            if self._inflater.eof and self._inflater.unused_data:
                # Concatenated gzip members (RFC 1952 2.2) continue with a fresh inflater.
                data = self._inflater.unused_data
                self._inflater = self._new_inflater()

    def _append(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self.max_bytes:
            raise BodyTooLarge(f"body exceeds {self.max_bytes} bytes after decompression")
        self._parts.append(data)

    def finish(self) -> bytes:
        if self._inflater is not None:
            try:
                self._append(self._inflater.flush())
            except zlib.error as exc:
                raise BadContentEncoding(f"truncated {self.coding} data: {exc}") from exc
        return b"".join(self._parts)

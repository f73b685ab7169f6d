"""Text as read from a file, made comparable: one Unicode form for everything the engine reads."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C.

    Hangul saved decomposed (NFD, as macOS file systems and some editors do) then equals the
    composed text of a policy written elsewhere: '정량' is one enum value, 'E001' one id, in any
    form. Every reader passes the text it reads through here; ASCII (most of it) costs one check.
    """
    return text if text.isascii() else unicodedata.normalize("NFC", text)

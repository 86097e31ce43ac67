"""Profile handles: the ``{handle}`` of ``/people/{handle}``.

3 to 40 characters: lower-case ASCII letters, digits and single hyphens, starting with a
letter or digit and not ending with a hyphen, so a handle is a plain URL segment everyone can
type and read. Words our own paths (or an impersonator) would use are reserved.
"""

from __future__ import annotations

import re
import unicodedata

MIN_LENGTH, MAX_LENGTH = 3, 40
_HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED = frozenset(
    {
        "about", "account", "admin", "administrator", "api", "auth", "badges", "backpack",
        "credentials", "did", "docs", "help", "home", "images", "issuers", "login", "logout",
        "me", "new", "null", "openapi", "people", "profile", "root", "settings", "sign-in",
        "signin", "static", "support", "system", "undefined", "verify", "well-known", "www",
    }
)  # fmt: skip


class HandleError(ValueError):
    """A handle we do not accept; ``code`` says why (the page's message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_handle(text: str) -> str:
    """The handle as stored (trimmed, lower-cased) or ``HandleError``: ``handle_length``,
    ``handle_characters`` or ``handle_reserved``."""
    handle = unicodedata.normalize("NFKC", text).strip().lower()
    if not MIN_LENGTH <= len(handle) <= MAX_LENGTH:
        raise HandleError("handle_length")
    if not _HANDLE.fullmatch(handle):
        raise HandleError("handle_characters")
    if handle in RESERVED:
        raise HandleError("handle_reserved")
    return handle

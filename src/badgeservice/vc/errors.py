"""Errors raised by the ``vc`` engine.

Every error carries a stable snake_case ``code`` that callers (the API, the verification
report) can rely on::

    VcError
    ├── DocumentLoadFailedError      a context or document the static loader does not serve
    ├── CanonicalizationError        RDFC-1.0 refused the input (too much work, bad data)
    ├── WorkLimitError               over the work budget or past the deadline: not checked
    ├── SafeModeError                undefined term / type, relative IRI (path named)
    ├── KeyFormatError               a key or multibase value we cannot decode
    ├── DidResolutionError           a DID or verification method that cannot be resolved
    ├── ProofError                   a proof that cannot be created or checked
    ├── JwtError                     a VC-JWT that cannot be signed or checked
    ├── StatusListError              a status list that cannot be decoded or indexed
    └── BakingError                  an image that cannot be baked or unbaked
"""

from __future__ import annotations

import re


class VcError(Exception):
    """Root of every error raised by ``badgeservice.vc``."""

    code: str = "vc_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            name = cls.__name__.removesuffix("Error")
            cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class DocumentLoadFailedError(VcError):
    pass


class CanonicalizationError(VcError):
    pass


class WorkLimitError(VcError):
    """``work_limit_exceeded`` or ``verification_deadline_exceeded``: could not check."""


class SafeModeError(VcError):
    def __init__(self, message: str, *, path: str = "", code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.path = path


class KeyFormatError(VcError):
    pass


class DidResolutionError(VcError):
    pass


class ProofError(VcError):
    pass


class JwtError(VcError):
    pass


class StatusListError(VcError):
    pass


class BakingError(VcError):
    pass

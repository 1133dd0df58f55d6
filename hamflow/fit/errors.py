"""The one error the decoder raises, with a stable reason code.

Callers (the store, the CLI, the pipeline) branch on ``reason``, never on message text, so the
codes below are a public contract: they end up in ``fit_files.reason``.
"""

from __future__ import annotations

from typing import Final

#: Reason codes and what each means to a user.
REASONS: Final[dict[str, str]] = {
    "unreadable": "the file could not be read from disk",
    "empty_file": "the file is empty (0 bytes)",
    "not_fit": "the file is not a FIT file (no '.FIT' signature in its header)",
    "bad_header": "the FIT file header is corrupt",
    "crc_mismatch": "the file's checksum does not match its contents",
    "truncated": "the file ends in the middle of a message",
    "bad_field_size": "a message definition declares a field of impossible size",
    "undefined_local_message": "a data message refers to a message type that was never defined",
    "corrupt_chained_header": "a second FIT block in the file has a corrupt header",
    "malformed": "the file's contents are malformed",
    "no_data": "nothing that can be placed in time: no messages, or records without time stamps (pool swims)",
}


class FitDecodeError(Exception):
    """A FIT file could not be decoded.

    ``reason`` is one of :data:`REASONS`; ``detail`` is a one-line human message that says what
    was wrong, suitable for a CLI line or a quarantine report.
    """

    def __init__(self, reason: str, detail: str | None = None) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown decode reason {reason!r}")
        self.reason = reason
        self.detail = detail or REASONS[reason]
        super().__init__(f"{reason}: {self.detail}")

    def __reduce__(self) -> tuple[type[FitDecodeError], tuple[str, str]]:
        # Decoding runs in worker processes; the error must survive pickling unchanged.
        return (type(self), (self.reason, self.detail))

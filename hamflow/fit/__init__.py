"""Decoding FIT files into typed results with canonical per-second frames."""

from .columns import RECORD_SCHEMA
from .errors import REASONS, FitDecodeError
from .reader import decode_fit_bytes, read_fit
from .types import Event, FileIdentity, FitResult, Lap, Session, StrengthSet

__all__ = [
    "RECORD_SCHEMA",
    "REASONS",
    "Event",
    "FileIdentity",
    "FitDecodeError",
    "FitResult",
    "Lap",
    "Session",
    "StrengthSet",
    "decode_fit_bytes",
    "read_fit",
]

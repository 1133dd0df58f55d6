"""Decoding FIT files into typed results with canonical per-second frames."""

from .columns import RECORD_SCHEMA
from .errors import REASONS, FitDecodeError
from .reader import DECODER_ENV, DecoderUnavailable, decode_fit_bytes, decoder_version, read_fit
from .types import DecoderName, Event, FileIdentity, FitResult, Session, StrengthSet

__all__ = [
    "DECODER_ENV",
    "REASONS",
    "RECORD_SCHEMA",
    "DecoderName",
    "DecoderUnavailable",
    "Event",
    "FileIdentity",
    "FitDecodeError",
    "FitResult",
    "Session",
    "StrengthSet",
    "decode_fit_bytes",
    "decoder_version",
    "read_fit",
]

"""fitparse, tolerant of developer-field descriptions that a writer left incomplete.

Wahoo's fitness app writes ``field_description`` messages without a field number or base type.
fitparse indexes its type table with the missing value (``KeyError: None``) and a sound
32-minute session is lost. With these two replacements a description that cannot describe
anything is skipped, and a developer field that was never usably described is read as bytes
under a placeholder name (the reader ignores developer fields it does not know, as it would
ignore these). The reader warns when it skipped a description.

fitparse looks both functions up in its ``base`` module at call time, so replacing them there
is enough; :func:`install` does it once, when :mod:`hamflow.fit` is imported. Files whose
descriptions are complete decode exactly as before.
"""

from __future__ import annotations

from typing import Any

import fitparse.base
import fitparse.records
from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES, DevField
from fitparse.utils import FitParseError

_add_description = fitparse.records.add_dev_field_description
_dev_type = fitparse.records.get_dev_type


def incomplete(message: Any) -> bool:
    """A ``field_description`` without a field number or with an unknown base type."""
    return bool(message.get_raw_value("field_definition_number") is None
                or message.get_raw_value("fit_base_type_id") not in BASE_TYPES)


def _add_complete_description(message: Any) -> None:
    if not incomplete(message):
        _add_description(message)


def _dev_type_or_bytes(dev_data_index: int, field_def_num: int) -> Any:
    try:
        return _dev_type(dev_data_index, field_def_num)
    except FitParseError:
        if dev_data_index not in fitparse.records.DEV_TYPES:
            raise  # no developer at all under that index: the bytes are not what they claim
        return DevField(dev_data_index=dev_data_index, def_num=field_def_num, type=BASE_TYPE_BYTE,
                        name=f"undescribed_dev_field_{field_def_num}", units=None, native_field_num=None)


def install() -> None:
    fitparse.base.add_dev_field_description = _add_complete_description
    fitparse.base.get_dev_type = _dev_type_or_bytes

"""The facts of one record: the money amounts in its body and its zone resolved to a place. Pure."""

from __future__ import annotations

from .amounts import extract_amounts
from .zones import resolve_zone


def facts_of(record: dict) -> dict:
    """Return ``{"amounts": [amount dicts in text order], "zone": resolved zone dict or None}`` of ``record``.

    Each amount dict is ``Amount.to_dict()``: ``text``, ``value``, ``currency``, ``approximate``,
    ``kind``, ``sentence`` and the offsets ``start``/``end`` of ``text`` in the record's ``body_text``.
    """
    amounts = [amount.to_dict() for amount in extract_amounts(record.get("body_text") or "")]
    return {"amounts": amounts, "zone": resolve_zone(record.get("zone"))}

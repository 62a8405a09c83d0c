"""The facts of one record: the money amounts in its body and its zone resolved to a place. Pure."""

from __future__ import annotations

from .amounts import extract_amounts
from .zones import resolve_zone


def facts_of(record: dict) -> dict:
    """Return ``{"amounts": [amount dicts in text order], "zone": resolved zone dict or None}`` of ``record``.

    Each amount dict has ``text``, ``value``, ``currency``, ``approximate``, ``kind``, ``sentence``
    and the offsets ``start_offset``/``end_offset`` of ``text`` in the record's ``body_text``.
    """
    amounts = []
    for amount in extract_amounts(record.get("body_text") or ""):
        row = amount.to_dict()
        row["start_offset"] = row.pop("start", row.get("start_offset"))
        row["end_offset"] = row.pop("end", row.get("end_offset"))
        amounts.append(row)
    return {"amounts": amounts, "zone": resolve_zone(record.get("zone"))}

"""Fault injection for the replica server: error statuses, slow answers, dropped and truncated responses.

Rules are plain JSON-able dicts so the CLI can take them::

    {"match": "/kfqxw/ypq/", "kind": "status", "status": 500, "times": 2}
    {"kind": "slow", "seconds": 3}
    {"kind": "drop"}        # close the connection without any response
    {"kind": "truncate"}    # full Content-Length, half the body, then close
    {"kind": "rewrite", "old": "发布时间", "new": "日期"}   # the site changes its template
    {"kind": "header", "name": "Set-Cookie", "value": "sid=1; Path=/"}  # a header set (replaced) on the page
    {"kind": "huge", "size": 200000000}                  # a page of that many bytes, streamed
    {"kind": "huge", "size": 200000000, "declared": false}  # ... without Content-Length, until close
    {"kind": "gzip_bomb", "size": 50000000}              # gzip that inflates to that many bytes
    {"kind": "redirect", "status": 301, "location": "http://localhost:8000/x"}
    {"kind": "refresh", "location": "http://localhost:8000/x"}  # a page that is a <meta> refresh
    {"kind": "pager_loop"}  # a list's last page links 下一页 on to itself with ?p=N+1, forever
    {"kind": "meta_missing", "labels": ["来源"]}  # article pages without these meta items (default 来源, 发布开发区)

``match`` is a regular expression searched in the request path (query included); omitted, it
matches every path. ``times`` limits a rule to the first N matching requests *per path*; omitted,
the rule always applies. Rules are tried in order: every matching "slow" rule adds its delay,
every matching "rewrite" rule replaces its text in the page (in the page's own encoding: it stands
for a redesign of the site), every matching "header" rule sets its header, every matching
"pager_loop" rule turns a list's missing 下一页 into a link to the same page with a new query
string, every matching "meta_missing" rule leaves its labels out of an article page's meta line (the
site stops showing them: a template change the extractor survives, but its records lose the
fields), and the first matching rule of another kind (status, drop, truncate, huge, gzip_bomb,
redirect, refresh) decides the response.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

KINDS = (
    "status",
    "slow",
    "drop",
    "truncate",
    "rewrite",
    "header",
    "huge",
    "gzip_bomb",
    "redirect",
    "refresh",
    "pager_loop",
    "meta_missing",
)
# The meta items an article page shows beside 发布时间, which a meta_missing rule can leave out.
META_LABELS = ("来源", "发布开发区")
_KEYS = {
    "labels",
    "match",
    "kind",
    "status",
    "seconds",
    "times",
    "old",
    "new",
    "name",
    "value",
    "size",
    "declared",
    "location",
}
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FaultRule:
    """One validated fault rule."""

    kind: str
    pattern: re.Pattern | None = None
    status: int = 500
    seconds: float = 1.0
    times: int | None = None
    old: str = ""
    new: str = ""
    name: str = ""  # header
    value: str = ""
    size: int = 0  # huge, gzip_bomb: bytes of the (inflated) body
    declared: bool = True  # huge: send Content-Length
    location: str = ""  # redirect, refresh
    labels: tuple[str, ...] = ()  # meta_missing

    @classmethod
    def from_dict(cls, rule: dict) -> FaultRule:
        """Return the rule described by ``rule``; raise ValueError if it is malformed."""
        if not isinstance(rule, dict):
            raise ValueError(f"a fault rule must be an object, got {rule!r}")
        unknown = set(rule) - _KEYS
        if unknown:
            raise ValueError(f"unknown fault rule keys: {sorted(unknown)}")
        kind = rule.get("kind")
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {KINDS}, got {kind!r}")
        times = rule.get("times")
        if times is not None and (not isinstance(times, int) or times < 0):
            raise ValueError(f"times must be a non-negative integer, got {times!r}")
        status = int(rule.get("status", 500))
        if not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code, got {status}")
        pattern = re.compile(rule["match"]) if rule.get("match") is not None else None
        if kind == "rewrite" and not rule.get("old"):
            raise ValueError("a rewrite rule needs a non-empty 'old' text")
        if kind == "header" and not rule.get("name"):
            raise ValueError("a header rule needs a 'name'")
        size = rule.get("size", 0)
        if kind in ("huge", "gzip_bomb") and (not isinstance(size, int) or size <= 0):
            raise ValueError(f"a {kind} rule needs a positive integer 'size', got {size!r}")
        if kind in ("redirect", "refresh") and not rule.get("location"):
            raise ValueError(f"a {kind} rule needs a 'location'")
        labels = rule.get("labels", list(META_LABELS) if kind == "meta_missing" else [])
        if not isinstance(labels, list) or not set(labels) <= set(META_LABELS):
            raise ValueError(f"labels must be a list of {META_LABELS}, got {labels!r}")
        if kind == "redirect":
            status = int(rule.get("status", 301))
            if status not in _REDIRECT_STATUSES:
                raise ValueError(f"a redirect status must be one of {_REDIRECT_STATUSES}, got {status}")
        return cls(
            kind,
            pattern,
            status,
            float(rule.get("seconds", 1.0)),
            times,
            rule.get("old", ""),
            rule.get("new", ""),
            rule.get("name", ""),
            str(rule.get("value", "")),
            size,
            bool(rule.get("declared", True)),
            rule.get("location", ""),
            tuple(labels),
        )


@dataclass(frozen=True)
class Decision:
    """What to do with one request: wait ``delay`` seconds, then ``action`` (None: answer normally)."""

    delay: float = 0.0
    action: str | None = None  # a deciding kind: "status", "drop", "truncate", "huge", "redirect" …
    status: int = 0
    rewrites: tuple[tuple[str, str], ...] = ()  # (old, new) texts to replace in the page
    headers: tuple[tuple[str, str], ...] = ()  # (name, value) headers to set on the response
    rule: FaultRule | None = None  # the deciding rule, for its parameters (size, location …)
    hidden_meta: tuple[str, ...] = ()  # meta labels an article page leaves out


@dataclass
class FaultPlan:
    """A list of rules and, per rule and path, how many times each has fired (thread-safe)."""

    rules: list[FaultRule] = field(default_factory=list)
    _fired: dict[tuple[int, str], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_rules(cls, rules: list[dict] | None) -> FaultPlan:
        """Return a plan for ``rules`` (JSON-able dicts); raise ValueError on a bad rule."""
        return cls([FaultRule.from_dict(rule) for rule in rules or []])

    def decide(self, path: str) -> Decision:
        """Return the decision for a request to ``path``, counting the rules that fire."""
        delay = 0.0
        rewrites: list[tuple[str, str]] = []
        headers: list[tuple[str, str]] = []
        hidden: list[str] = []
        with self._lock:
            for number, rule in enumerate(self.rules):
                if rule.pattern is not None and not rule.pattern.search(path):
                    continue
                key = (number, path)
                if rule.times is not None and self._fired.get(key, 0) >= rule.times:
                    continue
                self._fired[key] = self._fired.get(key, 0) + 1
                if rule.kind == "slow":
                    delay += rule.seconds
                    continue
                if rule.kind == "rewrite":
                    rewrites.append((rule.old, rule.new))
                    continue
                if rule.kind == "pager_loop":
                    rewrites.append(("<span>下一页</span>", f'<a href="?p={_page_number(path) + 1}">下一页</a>'))
                    continue
                if rule.kind == "header":
                    headers.append((rule.name, rule.value))
                    continue
                if rule.kind == "meta_missing":
                    hidden.extend(label for label in rule.labels if label not in hidden)
                    continue
                return Decision(delay, rule.kind, rule.status, tuple(rewrites), tuple(headers), rule, tuple(hidden))
        return Decision(delay, rewrites=tuple(rewrites), headers=tuple(headers), hidden_meta=tuple(hidden))


def _page_number(path: str) -> int:
    """Return the ``p`` query parameter of ``path`` as a number (1 when absent or not a number)."""
    value = parse_qs(urlsplit(path).query).get("p", ["1"])[0]
    return int(value) if value.isdigit() else 1


def load_rules(value: str) -> list[dict]:
    """Return fault rules from a JSON text, or from a JSON file when ``value`` is "@path"."""
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    rules = json.loads(text)
    if isinstance(rules, dict):
        rules = [rules]
    FaultPlan.from_rules(rules)  # validate early, so the CLI fails before it starts serving
    return rules

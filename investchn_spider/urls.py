"""URL identity: the canonical form an article is keyed by, and the domain a crawl may visit."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Return the canonical form of ``url``: lower-case host, no default port, sorted query, no fragment."""
    parts = urlsplit(canonicalize_url(url.strip(), keep_fragments=False))
    if parts.port and _DEFAULT_PORTS.get(parts.scheme) == parts.port:
        parts = parts._replace(netloc=parts.hostname or "")
    return urlunsplit(parts)


_DIRECTORY_INDEX = re.compile(r"/(?:index|default)\.(?:html?|shtml|php|aspx?|jsp)$", re.IGNORECASE)


def directory_url(url: str) -> str:
    """Return ``url`` with a trailing directory-index file name (``index.html`` …) dropped.

    Web servers answer ``/list/`` and ``/list/index.html`` with the same page; CMS templates link
    both (a tab to one, a "更多" link to the other). Requesting one form saves a request per list.
    """
    parts = urlsplit(url)
    if parts.query or not _DIRECTORY_INDEX.search(parts.path):
        return url
    return urlunsplit(parts._replace(path=_DIRECTORY_INDEX.sub("/", parts.path)))


def registered_domain(url: str) -> str:
    """Return the domain a crawl starting at ``url`` may visit (``www.investchn.com`` → ``investchn.com``).

    IP addresses and single-label hosts (``127.0.0.1``, ``localhost``) are returned as they are.
    """
    host = (urlsplit(url.strip()).hostname or "").lower()
    if not host:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    parts = _extract(host)
    return parts.top_domain_under_public_suffix or host


def on_allowed_host(url: str, domains: list[str]) -> bool:
    """Return True when the host of ``url`` is one of ``domains`` or a subdomain of one (any host when
    ``domains`` is empty), the rule Scrapy's offsite filter applies to ``allowed_domains``."""
    if not domains:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def is_public_suffix(domain: str) -> bool:
    """Return True when ``domain`` is a public suffix (``com.cn``, ``github.io``): no site owns it, so no
    cookie may be set for it. Read from tldextract's bundled snapshot, private suffixes included."""
    return not _extract(domain.lower(), private=True).domain


@lru_cache(maxsize=256)
def _extract(host: str, private: bool = False):
    return _extractor()(host, include_psl_private_domains=private)


@lru_cache(maxsize=1)
def _extractor():
    # Imported when first needed: tldextract (and requests, which it imports) cost the read-only
    # commands a tenth of their start-up. The bundled public-suffix snapshot only: a crawler must not
    # fetch the list (and cannot, on machines without internet), nor write a cache of it anywhere.
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)

"""Download-side defences, as Scrapy components: what the crawl refuses to fetch, to keep or to follow.

The live site is outside our control; these components keep a hostile or broken answer from hanging the
crawl, filling its memory, leading it off the allowed hosts or making it reach any host but the crawl's:

- :class:`PageSizeCap` (an add-on) maps ``INVESTCHN_MAX_PAGE_BYTES`` onto Scrapy's ``DOWNLOAD_MAXSIZE``,
  which also bounds what HttpCompressionMiddleware inflates, and ``DOWNLOAD_WARNSIZE`` (a quarter of it).
- :class:`DownloadGuard` (a downloader middleware) stops reading a response past the cap, declared or
  streamed; gives a response whose declared charset no decoder takes (``rot13``, ``undefined`` …) the
  charset its bytes show, so that no component reading its text fails; and refuses a redirect (HTTP 3xx
  or ``<meta http-equiv="refresh">``) to a host the crawl may not visit, which Scrapy's offsite filter
  would drop without a word.
- :class:`CappedCompression` is Scrapy's HttpCompressionMiddleware, its refusal of a body that inflates
  past the cap raised as :class:`Refused` rather than as an IgnoreRequest, which looks like a robots.txt drop.
- :class:`OfflineCookies` is Scrapy's CookiesMiddleware with its public-suffix check read from
  tldextract's bundled snapshot: Scrapy's own instance downloads the suffix list on the first Set-Cookie.

Other schemes than http(s) have no download handler (``DOWNLOAD_HANDLERS`` in settings.py). A refusal
reaches the request's errback as :class:`Refused`, which the spider records as a failure of its kind;
refusals are not retried (a page too large today is too large tomorrow).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_meta_refresh
from w3lib.url import safe_url_string

from .extraction import charset_from_content_type, decode_html
from .extraction.lines import resolve_url
from .urls import is_public_suffix, on_allowed_host

logger = logging.getLogger(__name__)

TOO_LARGE = "too_large"
REDIRECT_OFFSITE = "redirect_offsite"
REFUSAL_KINDS = frozenset((TOO_LARGE, REDIRECT_OFFSITE))  # failure kinds never retried
_REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
_RECEIVED = "investchn_bytes_received"  # request meta: body bytes read so far
_REFUSAL = "investchn_refusal"  # request meta: why the download was stopped


class Refused(Exception):
    """A response the crawl will not take: ``kind`` is a failure kind (:data:`REFUSAL_KINDS`), ``status``
    the HTTP status of the refused response when one was read."""

    def __init__(self, kind: str, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.status = status


class PageSizeCap:
    """Add-on: ``INVESTCHN_MAX_PAGE_BYTES`` becomes ``DOWNLOAD_MAXSIZE`` and, a quarter of it, ``DOWNLOAD_WARNSIZE``.

    Set at add-on priority: a ``DOWNLOAD_MAXSIZE`` given on the command line still wins.
    """

    def update_settings(self, settings) -> None:
        """Map the page cap onto Scrapy's download size settings (before any component reads them)."""
        cap = settings.getint("INVESTCHN_MAX_PAGE_BYTES")
        settings.set("DOWNLOAD_MAXSIZE", cap, priority="addon")
        settings.set("DOWNLOAD_WARNSIZE", cap // 4, priority="addon")


class DownloadGuard:
    """Downloader middleware: the size cap while a body arrives, usable charsets, no redirect off the allowed hosts.

    Scrapy's own limit stops a streamed body with an anonymous cancellation, indistinguishable from any
    other; this one stops it first (``headers_received`` / ``bytes_received`` signals) and says why.
    """

    def __init__(self, crawler, *, max_bytes: int, redirects: bool, refreshes: bool, refresh_max_delay: float):
        self.crawler = crawler
        self.max_bytes = max_bytes
        self.redirects = redirects
        self.refreshes = refreshes
        self.refresh_max_delay = refresh_max_delay
        self.refresh_ignore_tags = crawler.settings.getlist("METAREFRESH_IGNORE_TAGS")

    @classmethod
    def from_crawler(cls, crawler) -> DownloadGuard:
        """Build the guard from Scrapy's size and redirect settings and connect it to the download signals."""
        settings = crawler.settings
        guard = cls(
            crawler,
            max_bytes=settings.getint("DOWNLOAD_MAXSIZE"),
            redirects=settings.getbool("REDIRECT_ENABLED"),
            refreshes=settings.getbool("METAREFRESH_ENABLED"),
            refresh_max_delay=settings.getfloat("METAREFRESH_MAXDELAY"),
        )
        crawler.signals.connect(guard.headers_received, signal=signals.headers_received)
        crawler.signals.connect(guard.bytes_received, signal=signals.bytes_received)
        return guard

    def process_request(self, request):
        """Start counting the body bytes of this download (a redirect's request inherits the meta)."""
        request.meta[_RECEIVED] = 0
        if _is_robots(request):
            # RFC 9309: robots.txt's redirects are followed, to any host. Scrapy's offsite filter would
            # drop the redirected request, and its robots middleware then takes the site for one
            # without rules: everything allowed.
            request.meta["allow_offsite"] = True

    def headers_received(self, headers, body_length, request, spider) -> None:
        """Stop a download whose Content-Length is over the cap before its body is read."""
        if self.max_bytes and isinstance(body_length, int) and body_length > self.max_bytes:
            self._stop(request, f"the page declares {body_length} bytes, over the cap of {self.max_bytes}")

    def bytes_received(self, data, request, spider) -> None:
        """Stop a download as soon as its body passes the cap (a body without Content-Length, or a lying one)."""
        received = request.meta.get(_RECEIVED, 0) + len(data)
        request.meta[_RECEIVED] = received
        if self.max_bytes and received > self.max_bytes:
            self._stop(request, f"the page sent more than {self.max_bytes} bytes (the cap); download stopped")

    @staticmethod
    def _stop(request, reason: str) -> None:
        request.meta[_REFUSAL] = reason
        raise StopDownload(fail=True)

    def process_exception(self, request, exception):
        """Turn a download this guard stopped into a :class:`Refused` (other errors pass on unchanged)."""
        if isinstance(exception, StopDownload) and (reason := request.meta.pop(_REFUSAL, None)):
            logger.warning("refused %s: %s", request.url, reason)
            raise Refused(TOO_LARGE, reason)
        return None

    def process_response(self, request, response):
        """Return the response with a usable charset; raise :class:`Refused` for a redirect off the allowed hosts."""
        response = _with_usable_charset(response)
        target, how = self._redirect_target(request, response)
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        if target and not on_allowed_host(target, domains):
            reason = f"{how} to {target}, off the allowed hosts {', '.join(domains)}"
            logger.warning("refused %s: %s", request.url, reason)
            raise Refused(REDIRECT_OFFSITE, reason, response.status)
        if target:
            # The redirect middleware copies this flag into the redirected request: followed even to a
            # URL this run fetched already, so the URL that redirected is recorded as the article's too
            # (dropped as a duplicate, it would never be known and be fetched again by every run).
            request.dont_filter = True
        return response

    def _redirect_target(self, request, response) -> tuple[str | None, str]:
        """Return the URL Scrapy's redirect middlewares would follow from ``response`` and how (None: none).

        The same conditions as theirs: RedirectMiddleware's statuses and Location header, then
        MetaRefreshMiddleware's refresh of an HTML page within METAREFRESH_MAXDELAY; only http(s)
        targets (Scrapy follows no other: the 3xx then fails as an HTTP error, which is recorded).
        """
        if request.meta.get("dont_redirect") or request.meta.get("handle_httpstatus_all") or _is_robots(request):
            return None, ""
        handled = request.meta.get("handle_httpstatus_list", ())
        location = response.headers.get("Location")
        redirects = self.redirects and response.status in _REDIRECT_STATUSES and response.status not in handled
        if redirects and location:
            how = f"HTTP {response.status} redirect"
            try:
                target = resolve_url(request.url, safe_url_string(location))
            except ValueError:
                target = ""  # Scrapy's redirect fails on it in turn, and that failure is recorded
        elif self.refreshes and isinstance(response, HtmlResponse) and request.method != "HEAD":
            how = "meta refresh"
            interval, url = get_meta_refresh(response, ignore_tags=self.refresh_ignore_tags)
            target = url if url and interval < self.refresh_max_delay else ""
        else:
            return None, ""
        web = ("http", "https")
        if urlparse_cached(request).scheme in web and target.split(":", 1)[0].lower() in web:
            return target, how
        return None, ""


def _is_robots(request) -> bool:
    """Return True for the robots.txt request of Scrapy's RobotsTxtMiddleware (or its redirects)."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlparse_cached(request).path == "/robots.txt"


def _with_usable_charset(response):
    """Return ``response``, or a copy whose encoding is the one its bytes show when the declared one fails.

    Scrapy decodes with whatever codec a label names; ``rot13``, ``hex``, ``undefined`` or ``idna``
    make reading ``response.text`` raise, in the redirect middleware first. The spider reads the bytes
    itself (extraction/decode.py); this keeps every other component reading the text as it does.
    """
    if not isinstance(response, TextResponse):
        return response
    try:
        response.text  # noqa: B018 - decoded once and kept by the response; raises for unusable codecs
    except (LookupError, UnicodeError, ValueError):
        header = response.headers.get("Content-Type", b"").decode("latin-1")
        _, codec = decode_html(response.body, charset_from_content_type(header))
        logger.info("%s declares a charset no decoder takes; read as %s", response.url, codec)
        return response.replace(encoding=codec)
    return response


class CappedCompression(HttpCompressionMiddleware):
    """Scrapy's HttpCompressionMiddleware (bounded by ``DOWNLOAD_MAXSIZE``), its refusals raised as :class:`Refused`."""

    def process_response(self, request, response):
        """Return the decompressed response; raise :class:`Refused` when it inflates past the cap."""
        try:
            return super().process_response(request, response)
        except IgnoreRequest as error:  # the only one it raises: the body inflated past DOWNLOAD_MAXSIZE
            reason = f"the compressed page inflates past the cap: {error}"
            raise Refused(TOO_LARGE, reason, response.status) from error


class OfflineCookies(CookiesMiddleware):
    """Scrapy's CookiesMiddleware, its public-suffix check made from tldextract's bundled snapshot.

    Scrapy's module-level ``TLDExtract()`` fetches the public-suffix list from the internet on first use
    and caches it under the user's home; nothing of the crawl may reach a host but the crawl's.
    """

    def _process_cookies(self, cookies, *, jar, request) -> None:
        # Scrapy's logic, with the offline suffix list: a cookie for a public suffix (com.cn) is kept
        # only when the request's host is that suffix itself, and then for that host alone.
        for cookie in cookies:
            cookie_domain = cookie.domain.removeprefix(".")
            hostname = urlparse_cached(request).hostname
            if hostname is None:
                continue
            request_domain = hostname.lower()
            if cookie_domain and is_public_suffix(cookie_domain):
                if cookie_domain != request_domain:
                    continue
                cookie.domain = request_domain
            jar.set_cookie_if_ok(cookie, request)

"""``scrapy crawl``, exiting with the run's exit status (the same verdict ``investchn crawl`` gives)."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from ..extensions import RunLifecycle
from ..extraction.listing import requestable


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command; afterwards the exit status is the run's verdict, printed when not 0."""

    def run(self, args, opts) -> None:
        """Run the one spider named as Scrapy does, then exit with the verdict of its run."""
        if len(args) != 1:
            raise UsageError("give the name of one spider (zone_news)")
        starts = (
            [opts.spargs["start_url"]]
            if opts.spargs.get("start_url")
            else self.settings.getlist("INVESTCHN_START_URLS")
        )
        for url in starts:
            if not requestable(url):  # as `investchn crawl --start-url` (exit status 2), not a traceback
                raise UsageError(f"start URL {url!r} is not an http(s) URL")
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        lifecycle = crawler.get_extension(RunLifecycle)
        if lifecycle is not None and lifecycle.verdict is not None:
            self.exitcode = lifecycle.verdict.exit_code
            if self.exitcode:
                print(f"Error: {lifecycle.verdict.message}", file=sys.stderr)

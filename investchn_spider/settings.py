"""Scrapy settings of the investchn crawler. Every INVESTCHN_* setting is read in a component's from_crawler.

Polite defaults are for the live portal; `investchn crawl --delay 0` (and `investchn demo`) switch
them off for the local replica.
"""

from investchn_spider import __version__

BOT_NAME = "investchn"
SPIDER_MODULES = ["investchn_spider.spiders"]
NEWSPIDER_MODULE = "investchn_spider.spiders"

# An honest User-Agent: site operators can see who crawls them and why.
USER_AGENT = (
    f"investchn/{__version__} (research archive of investchn.com zone news; +https://pypi.org/project/investchn/)"
)
ROBOTSTXT_OBEY = True
# A government portal on modest hosting: one request at a time per host, a second apart, slower
# when the server slows down.
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30  # Scrapy's 180 s default holds a slow page far longer than any reader would wait
RETRY_TIMES = 2
# Breadth-first: the first pages of every list (the newest articles) come before the deep pages
# of any one list, so a crawl cut short still holds the latest news of every section.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# Scrapy 2.19 starts a remote-control server and writes job files under ~/.local/state by default.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOGSTATS_INTERVAL = 30.0
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# `scrapy crawl zone_news` exits with the run's exit status, as `investchn crawl` does.
COMMANDS_MODULE = "investchn_spider.commands"
# The run's lifecycle: the archive's write lock, the runs row, the time limit, the exit status; and the
# live status line (off unless INVESTCHN_PROGRESS).
EXTENSIONS = {"investchn_spider.extensions.RunLifecycle": 0, "investchn_spider.extensions.CrawlProgress": 10}
# Article requests for URLs the archive already holds are dropped before they are sent.
SPIDER_MIDDLEWARES = {"investchn_spider.middlewares.ArchivedUrlFilter": 850}
# Only http and https are ever requested: no handler reads local files (file:), data: URLs, FTP
# servers or S3 buckets, whatever a page or a redirect links to.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# Download-side defences (downloads.py). In the response path, higher numbers come first: pages are
# decompressed (bounded by the cap) before the guard and Scrapy's redirect middlewares (600, 580)
# read them, and the guard refuses an off-site redirect before those follow it into a silent drop.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "investchn_spider.downloads.CappedCompression": 620,
    "investchn_spider.downloads.DownloadGuard": 610,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "investchn_spider.downloads.OfflineCookies": 700,
}
# INVESTCHN_MAX_PAGE_BYTES becomes DOWNLOAD_MAXSIZE (and DOWNLOAD_WARNSIZE) before components start.
ADDONS = {"investchn_spider.downloads.PageSizeCap": 0}
# Extract first (pure), then store.
ITEM_PIPELINES = {
    "investchn_spider.pipelines.ExtractionPipeline": 200,
    "investchn_spider.pipelines.ArchivePipeline": 300,
}

# --- investchn ------------------------------------------------------------------------------
# Where the crawl starts: the live portal's home page (or any 开发区新闻 page, or a local replica).
INVESTCHN_START_URLS = ["http://www.investchn.com/"]
# Hosts the crawl may visit; empty means the registered domains of the start URLs.
INVESTCHN_ALLOWED_DOMAINS: list[str] = []
# The SQLite archive file (its folder must exist).
INVESTCHN_DB = "data/investchn.db"
# Archive writes are grouped into transactions of this many items ...
INVESTCHN_BATCH_SIZE = 50
# ... or of whatever arrived in this many seconds, so a slow crawl still commits regularly.
INVESTCHN_FLUSH_SECONDS = 10.0
# The command-line arguments of the run, recorded in the runs table (set by the CLI).
INVESTCHN_RUN_ARGS: dict = {}
# Walk every list page to its end (and retry every failure), not only up to the first page
# that brings nothing new.
INVESTCHN_FULL = False
# Fetch articles the archive already holds again; changed content keeps the earlier version.
INVESTCHN_REFRESH = False
# YYYY-MM-DD: skip listed articles older than this and stop paging a list past it ("" = no limit).
INVESTCHN_SINCE = ""
# A failed page is tried again by later runs until it has failed this many times.
INVESTCHN_MAX_ATTEMPTS = 3
# Folder of the per-run log files ("" = a logs/ folder beside the archive).
INVESTCHN_LOG_DIR = ""
# Seconds a write waits for another program's write transaction on the archive before it fails.
INVESTCHN_WRITE_TIMEOUT = 30.0
# Wall-time limit of a whole run in seconds (0 = none): at the limit the crawl stops and exits 9.
INVESTCHN_RUN_TIMEOUT = 0.0
# Seconds a run may take to stop after its time limit before the process is ended outright.
INVESTCHN_STOP_GRACE_SECONDS = 30.0
# Paging of a list stops after this many pages in a row that list nothing new to this run (a pager
# that links on forever with a new query string) ...
INVESTCHN_MAX_REPEAT_PAGES = 3
# ... or after this many pages of one list in one run. Both are recorded as paging_limit failures.
INVESTCHN_MAX_LIST_PAGES = 2000
# A response larger than this many bytes, as sent or once decompressed, is refused (a too_large failure).
INVESTCHN_MAX_PAGE_BYTES = 16 * 1024 * 1024
# Pages one article split over several (第1页 / 下一页) may have; an article with more is not stored
# (a failure of kind paging_limit), so that no truncated article passes for a whole one.
INVESTCHN_MAX_ARTICLE_PAGES = 20

# Layout drift by fill rates: a run that stored at least this many articles is judged against the
# archive's history (a field far less often filled than before exits 6); 0 turns the check off.
INVESTCHN_FILL_DRIFT_MIN_ARTICLES = 20

# An ArchiveLock the command already holds on INVESTCHN_DB, handed to the run (set by the CLI, never by
# hand): the lock is then taken before anything else, so a second crawl fails before Scrapy starts.
INVESTCHN_HELD_LOCK = None
# A live status line on stderr (pages, new articles, failures, pages/s, elapsed); `investchn crawl` turns
# it on when stderr is a terminal. Redrawn every INVESTCHN_PROGRESS_INTERVAL seconds.
INVESTCHN_PROGRESS = False
INVESTCHN_PROGRESS_INTERVAL = 0.5

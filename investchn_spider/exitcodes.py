"""Exit statuses of the ``investchn`` command, one meaning each, so cron and scripts can tell them apart."""

OK = 0  # the command did its job (a crawl that found nothing new included)
ERROR = 1  # bad input or an unusable archive: the message says which
USAGE = 2  # the command line itself is wrong (click's own status)
UNREACHABLE = 3  # the start URL could not be fetched (network error, DNS, refused, HTTP error)
NOT_THE_PORTAL = 4  # the start URL answered but leads to no 开发区新闻 list or article
LOCKED = 5  # another crawl holds the archive; nothing was written
LAYOUT_DRIFT = 6  # article pages fail extraction, a list shows no links, or records lose a field they had
WRITE_FAILED = 7  # the archive could not be written (disk full, read-only, held by another program too long)
INTERRUPTED = 8  # SIGTERM or Ctrl+C ended the crawl early; what was fetched is archived
TIMED_OUT = 9  # the crawl reached its --timeout wall-time limit; what was fetched is archived

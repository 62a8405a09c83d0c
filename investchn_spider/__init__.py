"""investchn: crawler and SQLite archive for the zone-news sections of investchn.com."""

__version__ = "0.1.0"

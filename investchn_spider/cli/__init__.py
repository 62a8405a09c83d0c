"""The ``investchn`` command: parses arguments and calls the library; no logic of its own.

One module per command (or family of commands); this one only assembles the group.
"""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from .crawl import crawl, demo, failures, runs
from .export import export
from .parse import parse
from .profile import profile
from .quality import quality
from .reparse import reparse
from .search import search
from .serve import serve
from .stats import stats


class InvestchnGroup(click.Group):
    """The command group; a reader that closes its end of the pipe (``| head``) ends a command quietly, with 0."""

    def invoke(self, ctx: click.Context):
        """Return the command's result; on a closed standard output, exit 0 without a word, as Unix tools do."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Python would complain again when it flushes stdout at exit: point it at /dev/null first.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)


@click.group(cls=InvestchnGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="investchn")
def cli() -> None:
    """Crawl the zone-news sections (开发区新闻) of investchn.com into a SQLite archive."""


for command in (crawl, demo, export, failures, parse, profile, quality, reparse, runs, search, serve, stats):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``investchn`` console script."""
    cli(prog_name="investchn")

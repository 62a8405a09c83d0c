"""The web view: the archive in Datasette, with the metadata and plugin shipped in this package.

``metadata.json`` holds titles, descriptions (the data dictionary's), facets and the canned
queries' titles; their SQL comes from ``store.queries`` (the store owns every statement). The
plugin (``plugin.py``) adds search of any length and the month facet. Datasette is an optional
dependency (``pip install 'investchn[serve]'``): importing this package does not import it.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path

METADATA_DATABASE = "investchn"  # the database key of metadata.json, renamed to the served file's name
# Facet counts over a large archive take longer than Datasette's default 200 ms (100,000 articles:
# about half a second each); past a second a facet is left out rather than holding the page.
SETTINGS = {"facet_time_limit_ms": 1000, "sql_time_limit_ms": 3000}


def database_name(db_path: str | Path) -> str:
    """Return the name Datasette gives the archive file (its stem): the first part of its URLs."""
    return Path(db_path).stem


def build_metadata(db_path: str | Path) -> dict:
    """Return the Datasette metadata for the archive at ``db_path``: the shipped file plus canned SQL."""
    from ..store.queries import CANNED_QUERIES

    shipped = json.loads(resources.files(__package__).joinpath("metadata.json").read_text(encoding="utf-8"))
    metadata = copy.deepcopy(shipped)
    database = metadata["databases"].pop(METADATA_DATABASE)
    for name, query in database["queries"].items():
        query["sql"] = CANNED_QUERIES[name].strip()
    metadata["databases"][database_name(db_path)] = database
    return metadata


def create_app(db_path: str | Path):
    """Return the Datasette instance serving the archive at ``db_path``, with the plugin registered."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from . import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="investchn")
    return Datasette([str(db_path)], metadata=build_metadata(db_path), settings=SETTINGS)


def serve(db_path: str | Path, host: str, port: int, on_ready=None) -> None:
    """Serve the archive at ``http://host:port/`` until interrupted (Ctrl+C); return when stopped.

    ``on_ready(url)`` is called with the articles table's URL just before the server starts.
    """
    import asyncio

    import uvicorn

    datasette = create_app(db_path)
    asyncio.run(datasette.invoke_startup())
    if on_ready:
        shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
        on_ready(f"http://{shown}:{port}{datasette.urls.table(database_name(db_path), 'articles')}")
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)

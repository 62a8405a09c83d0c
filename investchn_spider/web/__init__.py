"""The web view: the archive in Datasette, with the metadata and plugin shipped in this package.

``metadata.json`` holds titles, descriptions (the data dictionary's), facets and the canned
queries' titles; their SQL, and the charts', comes from ``store.queries`` (the store owns every
statement). The plugin (``plugin.py``) adds search of any length, the month facet, readable cells,
the article page and xlsx downloads; ``templates/`` fold the dictionary and facets away so rows
come first. Charts are datasette-dashboards' (``/-/dashboards/archive``); the Atom feed is
datasette-atom's, of the canned query ``newest_articles``. Datasette and these plugins are an
optional dependency (``pip install 'investchn[serve]'``): importing this package imports none.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path

METADATA_DATABASE = "investchn"  # the database key of metadata.json, renamed to the served file's name
# Facet counts over a large archive take longer than Datasette's default 200 ms (100,000 articles:
# about half a second each); past a second a facet is left out rather than holding the page.
# Suggested facets are off: on these tables they are noise (JSON lists, timestamps, hashes); the
# metadata turns on the facets that make sense per table.
SETTINGS = {"facet_time_limit_ms": 1000, "sql_time_limit_ms": 3000, "suggest_facets": False}
DASHBOARD = "archive"  # the dashboard's slug: /-/dashboards/archive
TEMPLATES = Path(__file__).with_name("templates")


def dashboards(database: str) -> dict:
    """Return the datasette-dashboards configuration of the archive served as ``database``: one
    dashboard of articles per month (overall and by district), by zone, and investment by province."""
    from ..store.queries import CHART_QUERIES

    def chart(title: str, query: str, display: dict) -> dict:
        return {
            "title": title,
            "db": database,
            "query": CHART_QUERIES[query].strip(),
            "library": "vega-lite",
            "display": display,
        }

    month = {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "month"}
    return {
        DASHBOARD: {
            "title": "Zone news at a glance",
            "description": "Articles per month, overall and by district; the zones that publish most; "
            "investment and contracts signed per month by province (CNY, 亿元).",
            "layout": [["per-month", "per-month"], ["by-district", "by-zone"], ["investment", "investment"]],
            "charts": {
                "per-month": chart(
                    "Articles per month",
                    "articles_per_month",
                    {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {"x": month, "y": {"field": "articles", "type": "quantitative"}},
                    },
                ),
                "by-district": chart(
                    "Articles per month by district",
                    "articles_per_month_by_district",
                    {
                        "mark": {"type": "line", "tooltip": True, "point": True},
                        "encoding": {
                            "x": month,
                            "y": {"field": "articles", "type": "quantitative"},
                            "color": {"field": "district", "type": "nominal"},
                        },
                    },
                ),
                "by-zone": chart(
                    "Articles by zone (25 largest)",
                    "articles_by_zone",
                    {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "y": {"field": "zone", "type": "nominal", "sort": "-x"},
                            "x": {"field": "articles", "type": "quantitative"},
                        },
                    },
                ),
                "investment": chart(
                    "Investment signed per month by province (亿元)",
                    "investment_per_month_by_province",
                    {
                        "mark": {"type": "bar", "tooltip": True},
                        "encoding": {
                            "x": month,
                            "y": {"field": "yi_yuan", "type": "quantitative", "title": "亿元"},
                            "color": {"field": "province", "type": "nominal"},
                        },
                    },
                ),
            },
        }
    }


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
    metadata.setdefault("plugins", {})["datasette-dashboards"] = dashboards(database_name(db_path))
    return metadata


def create_app(db_path: str | Path):
    """Return the Datasette instance serving the archive at ``db_path``, with the plugin registered."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from . import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="investchn")
    from .database import ArchiveDatabase

    datasette = Datasette(
        [str(db_path)], metadata=build_metadata(db_path), settings=SETTINGS, template_dir=str(TEMPLATES)
    )
    name = database_name(db_path)
    datasette.remove_database(name)  # the same file, as the database class that counts its rows quietly
    datasette.add_database(ArchiveDatabase(datasette, path=str(db_path), is_mutable=True), name=name)
    return datasette


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

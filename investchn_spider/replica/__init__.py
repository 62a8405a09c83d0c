"""Local replica of investchn.com (投促中国) for offline crawling and tests.

A real HTTP server on a loopback port that serves generated, deterministic pages which look and
misbehave like a Chinese government CMS: several article templates and encodings, relative links,
cross-listed and reposted articles, dead links, a robots-disallowed archive, off-site links to
``localhost`` and injectable faults (hostile ones too: huge pages, gzip bombs, redirects off the
host, odd headers), and a silent TCP listener that accepts and never answers.
``ReplicaSite.expected_articles()`` is the ground truth.

Modules, one job each: ``textgen`` (Chinese phrase pools), ``content`` (site model, URLs, ground
truth), ``chrome`` / ``templates`` / ``article_templates`` (HTML), ``assets`` (CSS, JS, PNG, PDF),
``pages`` (routing and encodings), ``faults`` (fault rules), ``server`` (HTTP), ``__main__`` (CLI).
"""

from .content import ReplicaSite
from .faults import FaultPlan, load_rules
from .pages import Page, render
from .server import ReplicaServer, SilentListener

__all__ = ["FaultPlan", "Page", "ReplicaServer", "ReplicaSite", "SilentListener", "load_rules", "render"]

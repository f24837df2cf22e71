"""The offline demo, one wing: ``waakhond demo`` runs the whole house on a constructed corpus.

Constructed for the Waakhond demo: fictional outlets, fictional posts, not real news.

    corpus, entries         the corpus (``load_corpus``) and what its feeds must yield
    server, site, pages,    the local feed and article server (``DemoFeedServer``), and the
    render                  webhook receiver that stands in for a team's channel
    webhook_receiver        (``WebhookReceiver``)
    run                     prepare a demo database and run the service on it (``run_demo``);
                            composes the house, so it is imported only by ``command``
    command                 the ``waakhond demo`` CLI command (``register(app)``)

The face offers the corpus and the servers (light, no model, no database); ``run`` and
``command`` are reached by their module names.
"""

from .corpus import (
    ClaimVerdict,
    CorpusError,
    DemoCorpus,
    DemoFactCheck,
    DemoItem,
    DemoSource,
    load_corpus,
)
from .entries import FeedEntry, expected_items, feed_entries, spike_item_guids
from .server import DemoFeedServer
from .webhook_receiver import WebhookReceiver

__all__ = [
    "ClaimVerdict",
    "CorpusError",
    "DemoCorpus",
    "DemoFactCheck",
    "DemoFeedServer",
    "DemoItem",
    "DemoSource",
    "FeedEntry",
    "WebhookReceiver",
    "expected_items",
    "feed_entries",
    "load_corpus",
    "spike_item_guids",
]

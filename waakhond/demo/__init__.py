"""The offline demo: a constructed corpus of fictional Dutch outlets and the local server for it.

Constructed for the Waakhond demo: fictional outlets, fictional posts, not real news.
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

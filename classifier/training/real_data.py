"""The disinformation signal's data: real labelled data from ``../shared/data`` and the
project's own sets, as ``train.Example`` rows with a source name and a hold-out group.

    positives   euvsdisinfo       EUvsDisinfo cases that targeted the Netherlands (English titles);
                                  group = first keyword ("MH17" when present) + year, so one
                                  story's near-identical titles are held out together
                claims_false      the claims of classifier/data/claims/claims.jsonl a fact-checker
                                  rated false or mostly false (constructed); group = claim
                seed_narrative    the seed set's false narratives (constructed); group = narrative
    negatives   factrank_2019     FactRank 2019: NF (not factual) and FNR (factual, not relevant)
                factrank_2017     FactRank 2017 prototype: NFS and UFS (the same two classes)
                checkthat_clean   CheckThat! Dutch tweets labelled not check-worthy (the clean file;
                                  the file with every "t" stripped is left out on purpose)
                seed_news         the seed set's news and announcements (constructed)
                seed_opinion      the seed set's opinion and debunks (constructed)
                background_news   classifier/data/narratives/background.jsonl (constructed)
                hard_negatives    classifier/data/criticism/hard_negatives_train.jsonl (constructed)
                hard_negatives_v2 .../hard_negatives_train_v2.jsonl: criticism, opinion, contested,
                                  satire, off-topic hoaxes (recipe real2 only; constructed)
                hard_news_v2      the same file's neutral news, bare and attributed (real2 only)
    test only   criticism         classifier/data/criticism/criticism_nl.jsonl: never trained on

Real rows are read from the shared folder at run time and never written anywhere; only file
digests (``file_digests``) go into a version's metadata.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from classifier.errors import ClassifierError
from classifier.training.train import Example

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SEED_FILE = DATA_DIR / "seed" / "seed_nl.csv"
CLAIMS_FILE = DATA_DIR / "claims" / "claims.jsonl"
BACKGROUND_FILE = DATA_DIR / "narratives" / "background.jsonl"
CRITICISM_FILE = DATA_DIR / "criticism" / "criticism_nl.jsonl"
HARD_NEGATIVES_FILE = DATA_DIR / "criticism" / "hard_negatives_train.jsonl"
HARD_NEGATIVES_V2_FILE = DATA_DIR / "criticism" / "hard_negatives_train_v2.jsonl"

EUVSDISINFO_FILE = "euvsdisinfo/euvsdisinfo_nl_related.dev.csv"
FACTRANK_2019_FILE = "factrank/factrank_v1_2019.dev.csv"
FACTRANK_2017_FILE = "factrank/factrank_prototype_2017.dev.csv"
CHECKTHAT_FILE = "checkthat/ct_dutch_1a_checkworthy.dev.csv"
SHARED_FILES = (EUVSDISINFO_FILE, FACTRANK_2019_FILE, FACTRANK_2017_FILE, CHECKTHAT_FILE)

#: Fact-check ratings that make a claim a positive (misleading / mixed / missing context do not).
FALSE_RATINGS = ("false", "mostly_false")
#: FactRank's non-check-worthy classes: 2019 scheme (NF, FNR) and the 2017 ClaimBuster scheme.
FACTRANK_NEGATIVE_LABELS = {"NF", "FNR", "NFS", "UFS"}
SEED_NEWS_KINDS = ("news", "announcement")
SEED_OPINION_KINDS = ("opinion", "debunk")
#: Kinds of the criticism file that count as legitimate criticism (the headline number).
CRITICISM_KINDS = ("criticism", "opinion", "satire", "contested")

POSITIVE_SOURCES = ("euvsdisinfo", "claims_false", "seed_narrative")
REAL_NEGATIVE_SOURCES = ("factrank_2019", "factrank_2017", "checkthat_clean")
CONSTRUCTED_NEGATIVE_SOURCES = ("seed_news", "seed_opinion", "background_news")


class SharedDataMissing(ClassifierError, FileNotFoundError):
    """The shared data folder (or one of its files) is not there."""


@dataclass(frozen=True)
class CriticismItem:
    id: str
    text: str
    kind: str
    topic: str | None


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _jsonl_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _shared(shared_data: Path, relative: str) -> Path:
    path = Path(shared_data) / relative
    if not path.is_file():
        raise SharedDataMissing(f"shared data file not found: {path}")
    return path


def euvsdisinfo_group(keywords: str, date: str) -> str:
    first = "MH17" if "MH17" in keywords.split("+") else (keywords.split("+")[0] or "none")
    return f"euvsdisinfo:{first}:{date[:4]}"


def euvsdisinfo_examples(shared_data: Path) -> list[Example]:
    rows = _csv_rows(_shared(shared_data, EUVSDISINFO_FILE))
    return [Example(r["title"].strip(), 1, None, "euvsdisinfo", euvsdisinfo_group(r["keywords"], r["date"]))
            for r in rows if r["title"].strip()]


def factrank_examples(shared_data: Path, relative: str, origin: str) -> list[Example]:
    rows = _csv_rows(_shared(shared_data, relative))
    return [Example(r["statement"].strip(), 0, None, origin, None) for r in rows
            if r["label"] in FACTRANK_NEGATIVE_LABELS and r["statement"].strip()]


def checkthat_examples(shared_data: Path) -> list[Example]:
    rows = _csv_rows(_shared(shared_data, CHECKTHAT_FILE))
    return [Example(r["tweet_text"].strip(), 0, None, "checkthat_clean", None) for r in rows
            if r["checkworthy"] == "0" and r["tweet_text"].strip()]


def claims_false_examples(path: Path = CLAIMS_FILE) -> list[Example]:
    return [Example(r["text"].strip(), 1, None, "claims_false", f"claim:{r['claim_id']}", r.get("topic"))
            for r in _jsonl_rows(path) if r.get("rating") in FALSE_RATINGS]


def seed_rows(path: Path = SEED_FILE) -> list[dict[str, str]]:
    return _csv_rows(path)


def seed_source_examples(path: Path = SEED_FILE) -> list[Example]:
    """The seed set split into sources by kind; positives grouped by narrative."""
    examples = []
    for r in seed_rows(path):
        if r["label"] == "1":
            examples.append(Example(r["text"], 1, None, "seed_narrative", f"narrative:{r['narrative']}", r["topic"]))
        elif r["kind"] in SEED_NEWS_KINDS:
            examples.append(Example(r["text"], 0, None, "seed_news", None, r["topic"]))
        else:
            examples.append(Example(r["text"], 0, None, "seed_opinion", None, r["topic"]))
    return examples


def background_examples(path: Path = BACKGROUND_FILE) -> list[Example]:
    return [Example(r["text"], 0, None, "background_news", None, r.get("topic")) for r in _jsonl_rows(path)]


def hard_negative_examples(path: Path = HARD_NEGATIVES_FILE) -> list[Example]:
    """Criticism-like training negatives, written apart from the criticism test set."""
    if not path.is_file():
        return []
    return [Example(r["text"], 0, None, "hard_negatives", None, r.get("topic")) for r in _jsonl_rows(path)]


#: Kinds of the v2 hard-negative file that are neutral news (augmented with attribution both ways).
NEWS_KINDS = ("news_bare", "news_attributed")


def hard_negative_v2_examples(path: Path = HARD_NEGATIVES_V2_FILE) -> list[Example]:
    """The second set of written training negatives (distinct from the criticism test set; the
    test ``tests/classifier/test_signal_data.py`` checks that no line is a near-copy)."""
    if not path.is_file():
        return []
    return [Example(r["text"], 0, None, "hard_news_v2" if r["kind"] in NEWS_KINDS else "hard_negatives_v2", None,
                    r.get("topic") or None) for r in _jsonl_rows(path)]


def criticism_items(path: Path = CRITICISM_FILE) -> list[CriticismItem]:
    return [CriticismItem(r["id"], r["text"], r["kind"], r.get("topic")) for r in _jsonl_rows(path)]


def project_examples(*, v2: bool = False) -> list[Example]:
    """The project's own training sets (no shared data needed); ``v2``: with the second set of
    written hard negatives (recipe real2)."""
    own = seed_source_examples() + claims_false_examples() + background_examples() + hard_negative_examples()
    return own + (hard_negative_v2_examples() if v2 else [])


def shared_examples(shared_data: Path) -> list[Example]:
    """The real rows of the shared folder: EUvsDisinfo positives and the three real negative sources."""
    return (
        euvsdisinfo_examples(shared_data)
        + factrank_examples(shared_data, FACTRANK_2019_FILE, "factrank_2019")
        + factrank_examples(shared_data, FACTRANK_2017_FILE, "factrank_2017")
        + checkthat_examples(shared_data)
    )


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_digests(shared_data: Path | None, *, with_shared: bool = True, v2: bool = False) -> list[dict[str, str]]:
    """sha256 of every file the training reads (files, not rows)."""
    own = [SEED_FILE, CLAIMS_FILE, BACKGROUND_FILE] + ([HARD_NEGATIVES_FILE] if HARD_NEGATIVES_FILE.is_file() else [])
    own += [HARD_NEGATIVES_V2_FILE] if v2 else []
    root = DATA_DIR.parent.parent
    digests = [{"file": str(p.relative_to(root)), "sha256": sha256_of(p)} for p in own]
    if with_shared and shared_data is not None:
        digests += [{"file": f"../shared/data/{rel}", "sha256": sha256_of(_shared(shared_data, rel))}
                    for rel in SHARED_FILES]
    return digests

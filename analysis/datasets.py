"""Readers for the labelled third-party sets in ``../shared/data`` (never copied into the repo).

Each reader returns plain ``(text, label)`` rows so the training code does not care about the
quirks of each file (no header, CRLF, latin-1 trial files, star ratings instead of labels).
Only ``train``/``val`` splits exist there; ``test`` splits are held back on purpose.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SENTIMENT_LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text; ``lang`` is known from the set, not detected."""

    text: str
    label: str
    lang: str
    source: str


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def xlmt(root: Path, lang: str, split: str) -> list[Example]:
    """XLM-T UMSAB tweets (0 negative, 1 neutral, 2 positive); ``lang`` is english or french."""
    folder = root / "sentiment" / "xlm-t_umsab" / lang
    texts = _lines(folder / f"{split}_text.txt")
    labels = _lines(folder / f"{split}_labels.txt")
    code = "en" if lang == "english" else "fr"
    return [
        Example(t, SENTIMENT_LABELS[int(lab)], code, f"xlmt-{code}-{split}")
        for t, lab in zip(texts, labels, strict=False)
        if lab.strip()
    ]


def tweeteval(root: Path, task: str, split: str) -> list[Example]:
    """TweetEval task rows with the label names from its ``mapping.txt``."""
    folder = root / "sentiment" / "tweeteval" / task
    names = {}
    for line in _lines(folder / "mapping.txt"):
        if line.strip():
            key, name = line.split("\t")[:2]
            names[key.strip()] = name.strip()
    texts = _lines(folder / f"{split}_text.txt")
    labels = _lines(folder / f"{split}_labels.txt")
    return [
        Example(t, names[lab.strip()], "en", f"tweeteval-{task}-{split}")
        for t, lab in zip(texts, labels, strict=False)
        if lab.strip()
    ]


def sanders(root: Path) -> list[Example]:
    """Sanders brand tweets; the ``irrelevant`` rows (off-topic or not English) are dropped."""
    path = root / "sentiment" / "sanders_twitter_brands_en" / "full-corpus.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Example(r["TweetText"], r["Sentiment"], "en", "sanders")
        for r in rows
        if r["Sentiment"] in SENTIMENT_LABELS
    ]


def allocine(root: Path) -> list[Example]:
    """Allociné reviews mapped from stars: <=2 negative, 2.5-3.5 neutral, >=4 positive."""
    path = root / "sentiment" / "allocine_reviews_fr_sample" / "reviews_sample.csv"
    out = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for r in csv.DictReader(handle):
            try:
                note = float(r["note"])
            except ValueError:
                continue
            label = "negative" if note <= 2.0 else ("neutral" if note <= 3.5 else "positive")
            text = " ".join(x for x in (r.get("titre_avis") or "", r["texte"]) if x).strip()
            if text:
                out.append(Example(text, label, "fr", "allocine"))
    return out


def webis_books_fr(root: Path) -> list[Example]:
    """Amazon.fr book reviews, positive or negative."""
    path = root / "sentiment" / "webis_cls10_books_fr" / "books-fr.test-aligned.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(r[0], "positive" if r[1].strip() == "True" else "negative", "fr", "webis-books-fr")
            for r in csv.reader(handle)
            if len(r) >= 2
        ]


def complaints(root: Path) -> list[Example]:
    """Complaint tweets to brand accounts: label ``complaint`` or ``other``."""
    path = root / "sentiment" / "complaints_twitter_en" / "complaints-data.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return [
            Example(r[1], "complaint" if r[2].strip() == "1" else "other", "en", "complaints")
            for r in csv.reader(handle)
            if len(r) >= 3
        ]


def suggestions(root: Path, split: str) -> list[Example]:
    """SemEval-2019 task 9 sentences: ``suggestion`` or ``other`` (train, trial_a, trial_b)."""
    base = root / "intent" / "semeval2019_task9_suggestion"
    files = {
        "train": base / "subtaskA" / "V1.4_Training.csv",
        "trial_a": base / "subtaskA" / "SubtaskA_Trial_Test_Labeled.csv",
        "trial_b": base / "subtaskB" / "SubtaskB_Trial_Test_Labeled.csv",
    }
    path = files[split]
    encoding = "utf-8" if split == "train" else "cp1252"
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        rows = list(csv.reader(handle))
    out = []
    for r in rows:
        if len(r) < 3 or r[2].strip() not in {"0", "1"}:
            continue
        text = r[1].strip().strip('"')
        out.append(Example(text, "suggestion" if r[2].strip() == "1" else "other", "en", f"semeval9-{split}"))
    return out


def tweet_acts(root: Path) -> list[Example]:
    """Tweet speech acts (EXP, STM, QUE, SUG, OTH, THT, REQ)."""
    path = root / "intent" / "tweet_act_tac" / "TWEET_DATA.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return [Example(r[0], r[1].strip(), "en", "tweet-acts") for r in csv.reader(handle) if len(r) >= 2]


def wikit_questions(root: Path) -> list[Example]:
    """French HR-bot utterances: used only as French question/request positives."""
    path = root / "intent" / "wikit_nlu_french_covid" / "training_dataset.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [Example(r["utterance"], "question", "fr", "wikit-fr") for r in csv.DictReader(handle)]


def allocine_sentences(root: Path) -> dict[str, str]:
    """Allociné review sentences of 25-250 characters, keyed ``allocine:ROW:SENTENCE`` (labelled samples)."""
    import re

    path = root / "sentiment" / "allocine_reviews_fr_sample" / "reviews_sample.csv"
    out = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row, r in enumerate(csv.DictReader(handle)):
            for n, sentence in enumerate(re.split(r"(?<=[.!?])\s+", r["texte"])):
                if 25 <= len(sentence) <= 250:
                    out[f"allocine:{row}:{n}"] = sentence
    return out


def labelled_sample(root: Path, path: Path) -> list[tuple[str, str, int]]:
    """``(id, text, label)`` of a sample we labelled (ids + labels in the project, texts read here).

    Lines are ``id<TAB>label``, or ``group<TAB>id<TAB>label`` (then the id returned is ``group:id``).
    """
    allocine = allocine_sentences(root)
    complaint_rows = complaints(root)
    tweets: dict[str, str] = {}
    loaded: set[str] = set()
    others: dict[str, list[Example]] = {}
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        *group, key, label = line.split("\t")
        if key.startswith("allocine:"):
            text = allocine[key]
        elif key.startswith("complaints:"):
            text = complaint_rows[int(key.split(":")[1])].text
        elif key.startswith(("sanders:", "tweeteval-")):
            source, index = key.rsplit(":", 1)
            if source not in others:
                if source == "sanders":
                    others[source] = sanders(root)
                else:
                    _, task, split = source.split("-")
                    others[source] = tweeteval(root, task, split)
            text = others[source][int(index)].text
        else:
            source = key.rsplit(":", 1)[0]
            if source not in loaded:
                loaded.add(source)
                _, lang, split = source.split("-")
                for i, ex in enumerate(xlmt(root, "french" if lang == "fr" else "english", split)):
                    tweets[f"{source}:{i}"] = ex.text
            text = tweets[key]
        out.append((":".join([*group, key]), text, int(label)))
    return out

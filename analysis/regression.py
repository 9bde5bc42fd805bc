"""Check the model against sentences whose expected sentiment and intents we wrote ourselves.

The public labelled sets are tweets about anything; a brand's community manager reads billing
disputes, outages, late parcels, cancellations, praise, questions, ideas, sarcasm and negations
("pas mal", "not bad at all"). ``tests/analysis/data/customer_service.tsv`` holds such sentences in
French and English with what a person expects; this module scores a model on them and lists
every miss, so a regression is seen sentence by sentence rather than as one number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.analyzer import Analyzer
from analysis.classify import classify

INTENTS = ("complaint", "question", "suggestion", "praise")


@dataclass(frozen=True, slots=True)
class Expectation:
    """One sentence, the sentiments accepted, the intents required and those merely allowed."""

    lang: str
    text: str
    sentiments: frozenset[str]
    required: frozenset[str]
    allowed: frozenset[str]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the model said about one sentence and whether that is right."""

    case: Expectation
    sentiment: str
    intents: frozenset[str]

    @property
    def right(self) -> bool:
        intents_ok = self.case.required <= self.intents <= self.case.required | self.case.allowed
        return self.sentiment in self.case.sentiments and intents_ok

    def describe(self) -> str:
        want = ",".join(sorted(self.case.required)) or "-"
        if self.case.allowed:
            want += " (+" + ",".join(sorted(self.case.allowed)) + "?)"
        got = ",".join(sorted(self.intents)) or "-"
        return (
            f"[{self.case.lang}] {self.case.text!r}: sentiment {self.sentiment} "
            f"(want {'|'.join(sorted(self.case.sentiments))}), intents {got} (want {want})"
        )


def load(path: Path) -> list[Expectation]:
    """Parse the tab-separated file (``#`` lines are comments); a malformed line raises ValueError."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise ValueError(f"{path.name}:{number}: expected 4 tab-separated columns, got {len(parts)}")
        lang, sentiments, intents, text = parts
        names = [] if intents.strip() == "-" else [i.strip() for i in intents.split(",")]
        unknown = {n.rstrip("?") for n in names} - set(INTENTS)
        if unknown:
            raise ValueError(f"{path.name}:{number}: unknown intent {sorted(unknown)}")
        out.append(
            Expectation(
                lang=lang,
                text=text,
                sentiments=frozenset(sentiments.split("|")),
                required=frozenset(n for n in names if not n.endswith("?")),
                allowed=frozenset(n.rstrip("?") for n in names if n.endswith("?")),
            )
        )
    return out


def check(cases: Sequence[Expectation], model: Analyzer) -> list[Verdict]:
    """Classify every sentence the way ``listener classify`` does and compare."""
    results = classify([c.text for c in cases], model)
    return [
        Verdict(
            case=case,
            sentiment=str(result["sentiment"]["label"]),
            intents=frozenset(i for i in result["intents"]["labels"] if i in INTENTS),
        )
        for case, result in zip(cases, results, strict=True)
    ]

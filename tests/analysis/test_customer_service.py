"""Hand-written customer-service sentences (FR/EN): at least 90% right, every miss printed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from analysis import regression
from analysis.analyzer import Analyzer

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "customer_service.tsv"


def test_the_set_is_large_balanced_and_well_formed() -> None:
    cases = regression.load(DATA)
    assert len(cases) >= 150
    langs = Counter(c.lang for c in cases)
    assert langs["fr"] >= 70 and langs["en"] >= 70
    assert len({c.text for c in cases}) == len(cases)


def test_customer_service_sentences(analyzer_model: Analyzer) -> None:
    verdicts = regression.check(regression.load(DATA), analyzer_model)
    misses = [v for v in verdicts if not v.right]
    share = 1 - len(misses) / len(verdicts)
    for verdict in misses:
        print("miss:", verdict.describe())
    print(f"customer-service set: {share:.3f} right ({len(verdicts) - len(misses)}/{len(verdicts)})")
    assert share >= 0.90, "\n".join(["misses:", *(v.describe() for v in misses)])

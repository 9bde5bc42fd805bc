"""One offline demo week for the whole test run: ``listener.demo.run_demo`` is the slowest thing the
tests do (simulate, collect, analyse with the real model, group echoes and ideas, replay alerts), so the
tests that only read its database share one run, and those that change it work on a copy.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from listener.demo import DemoReport

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
SEED = 42
DAYS = 3


def copy_of(report: DemoReport, folder: Path) -> DemoReport:
    """The same demo in ``folder``: its database copied and its config pointed at the copy."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / report.db_path.name
    shutil.copyfile(report.db_path, db)
    config = folder / report.config_path.name
    text = report.config_path.read_text(encoding="utf-8")
    config.write_text(text.replace(str(report.db_path.resolve()), str(db.resolve())), encoding="utf-8")
    return replace(report, db_path=db, config_path=config)

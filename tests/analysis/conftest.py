"""Analysis fixtures: the real encoder, built once per session from the installed packages.

The model is built by the same code as ``listener model build`` into a session temp folder (about
2 s and 470 MB), then loaded offline (``HF_HUB_OFFLINE=1`` is set by the root conftest), so a hub
download attempt would fail loudly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import analyzer, model_build
from analysis.analyzer import Analyzer


@pytest.fixture(scope="session")
def model_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the freshly built encoder folder."""
    data_dir = tmp_path_factory.mktemp("listener-data")
    model_build.build(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def analyzer_model(model_data_dir: Path) -> Analyzer:
    """The encoder plus the heads shipped in the package."""
    return analyzer.load(model_build.model_dir(model_data_dir), heads_folder=analyzer.heads_mod.SHIPPED_DIR)

"""Hostile text comes back byte-for-byte in JSON and stays inert in CSV; exports stream CSV and Parquet."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
from web_env import WebEnv, make_mention, seed

HOSTILE = [
    "<script>alert(1)</script> lumio",
    "lumio'; DROP TABLE mentions; --",
    '=HYPERLINK("http://evil.example","lumio")',
    "+1 lumio",
    "-1 lumio",
    "@SUM(1) lumio",
    "\u202eoimul\u202c lumio \u200b\u200d\ufeff zero width",
    "lumio " + "é" * (1024 * 1024),
]


def _ids(env: WebEnv) -> dict[str, int]:
    seed(env.repo, [make_mention(700 + i, text=t) for i, t in enumerate(HOSTILE)])
    found = {}
    for i, text in enumerate(HOSTILE):
        stored = env.repo.get_mention_by_key("testsrc", f"m{700 + i}")
        assert stored is not None
        found[text] = stored.id
    return found


def test_hostile_text_round_trips_and_csv_cells_are_neutralised(sqlite_env: WebEnv) -> None:
    ids = _ids(sqlite_env)
    with sqlite_env.client("analyst") as client:
        for text, mention_id in ids.items():
            assert client.get(f"/api/mentions/{mention_id}").json()["mention"]["text"] == text
        for sep, bom in ((",", False), (";", True)):
            response = client.get(
                "/api/exports/mentions.csv",
                params={"sep": sep, "bom": str(bom).lower(), "q": "lumio"},
            )
            assert response.headers["content-type"].startswith("text/csv")
            raw = response.content.decode("utf-8")
            assert raw.startswith("\ufeff") == bom
            csv.field_size_limit(4 * 1024 * 1024)  # the 1 MB post is one cell
            rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff")), delimiter=sep))
            texts = {int(r["id"]): r["text"] for r in rows}
            for text, mention_id in ids.items():
                expected = "'" + text if text[0] in "=+-@" else text
                assert texts[mention_id] == expected


def test_parquet_export_reads_back(sqlite_env: WebEnv) -> None:
    with sqlite_env.client("analyst") as client:
        response = client.get("/api/exports/mentions.parquet", params={"topic": "lumio"})
        assert response.status_code == 200
        table = pq.read_table(io.BytesIO(response.content))
        listed = client.get("/api/mentions/facets", params={"topic": "lumio"}).json()["facets"]["total"][""]
        assert table.num_rows == listed
        assert {"id", "text", "status", "sentiment"} <= set(table.column_names)

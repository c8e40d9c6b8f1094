"""Screening-test helpers: the CSL fixtures and the environment for a run against the loopback server."""

from __future__ import annotations

from pathlib import Path

from .cli import cli_env
from .http import Step

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "csl"
CSL = FIXTURES / "consolidated.json"
CSL_NEXT = FIXTURES / "consolidated_next.json"


def csl_step(path: Path = CSL, **kwargs: object) -> Step:
    """Serve a CSL fixture file."""
    return Step(body=path.read_bytes(), **kwargs)  # type: ignore[arg-type]


def csl_cached_env(root: Path) -> dict[str, str]:
    """An offline environment whose private cache already holds the CSL fixture (for module-scoped fixtures)."""
    from .cli import run_cli

    environment = cli_env(PROVCHECK_CACHE_DIR=str(root / "cache"), XDG_CONFIG_HOME=str(root / "config"))
    done = run_cli(["lists", "update", "csl", "--url", str(CSL)], root, env={**environment, "PROVCHECK_OFFLINE": "0"})
    assert done.returncode == 0, done.output
    return environment


def screening_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for running provcheck against the loopback server: a private cache and
    config under ``tmp_path``, no retries or back-off, no proxies, no offline mode."""
    (tmp_path / "config.yaml").write_text("screening: {}\n", encoding="utf-8")
    return cli_env(
        offline=False,
        columns=250,
        PROVCHECK_CACHE_DIR=str(tmp_path / "cache"),
        PROVCHECK_CONFIG=str(tmp_path / "config.yaml"),
        PROVCHECK_RETRIES="0",
        PROVCHECK_BACKOFF="0",
        **extra,
    )


# --------------------------------------------------------------------------- a fake yente /match endpoint


def _result(entity_id, caption, score, datasets, *, new_style=True):
    result = {
        "id": entity_id,
        "caption": caption,
        "schema": "Company",
        "properties": {"name": [caption]},
        "datasets": datasets,
        "referents": [],
        "target": True,
        "first_seen": "2024-01-31T00:00:00",
        "last_seen": "2026-06-10T00:00:00",
        "last_change": "2026-06-09T12:00:00",
        "score": score,
        "match": score >= 0.88,
    }
    if new_style:
        result["explanations"] = {"name_literal_match": {"score": score, "detail": "..."}}
    else:
        result["features"] = {"name_levenshtein": score, "country_mismatch": 0.0}
    return result


def yente(path, body):
    responses = {}
    for key, query in body["queries"].items():
        name = query["properties"]["name"][0]
        results = []
        if name.lower().startswith("byd"):
            results = [
                _result("NK-byd", "BYD Company Limited", 0.97, ["us_dod_chinese_milcorps"]),
                _result("NK-bydx", "BYD Electronic Trading", 0.61, ["ext_registry"], new_style=False),
            ]
        elif name.lower().startswith("orbital"):
            results = [_result("NK-orb", "Orbital Relay Ltd", 0.91, ["us_ofac_sdn", "sanctions"], new_style=False)]
        responses[key] = {
            "status": 200,
            "results": results,
            "total": {"value": sum(1 for r in results if r["match"]), "relation": "eq"},
            "query": query,
        }
    return 200, {"responses": responses, "limit": 5}


# --------------------------------------------------------------------------- the EU, UK and UN list fixtures

LISTS = FIXTURES.parent / "lists"
UN_XML = LISTS / "un_consolidated.xml"
EU_XML = LISTS / "eu_fsf.xml"
EU_CSV = LISTS / "eu_fsf.csv"
UK_XML = LISTS / "uk_sanctions.xml"
"""Fictional lists in the real published shapes, dirty rows included (see each file's comment)."""


def xml_step(path: Path, **kwargs: object) -> Step:
    """Serve an XML list fixture as the official servers do (``text/xml``)."""
    return Step(body=path.read_bytes(), content_type="text/xml; charset=utf-8", **kwargs)  # type: ignore[arg-type]


def un_version_b(*, new_alias: bool = False) -> bytes:
    """The UN fixture a week later: Starling Ore Exports removed, Harrow Bay Compute Holdings added
    (and, with ``new_alias``, Rivergate Trading given a second alias), with a later ``dateGenerated``."""
    text = UN_XML.read_text(encoding="utf-8")
    start = text.index("    <ENTITY>\n      <DATAID>7900203</DATAID>")
    end = text.index("</ENTITY>", start) + len("</ENTITY>\n")
    added = (
        "    <ENTITY>\n      <DATAID>7900299</DATAID>\n      <FIRST_NAME>HARROW BAY COMPUTE HOLDINGS</FIRST_NAME>\n"
        "      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>\n      <REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER>\n"
        "      <LISTED_ON>2026-11-28</LISTED_ON>\n    </ENTITY>\n"
    )
    text = text[:start] + added + text[end:]
    if new_alias:
        text = text.replace(
            "<ALIAS_NAME>Rivergate Trading</ALIAS_NAME>", "<ALIAS_NAME>Rivergate Trading; Rivergate Export House</ALIAS_NAME>"
        )
    return text.replace('dateGenerated="2026-11-20T08:00:04.117-05:00"', 'dateGenerated="2026-11-29T08:00:00-05:00"').encode("utf-8")

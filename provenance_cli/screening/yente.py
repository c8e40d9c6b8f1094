"""The yente backend: screening against an OpenSanctions yente server.

``POST {url}/match/{dataset}`` with ``{"queries": {key: {"schema": "Company",
"properties": {"name": [...], "country": [...]}}}}`` in batches of at most
100, query parameters ``threshold`` (0-1), ``limit`` and ``algorithm``.
Each ``responses[key].results[]`` item carries ``id``, ``caption``,
``schema``, ``properties``, ``datasets``, ``score``, ``match`` and either
``explanations`` (yente 5) or ``features`` (older). ``total.value`` counts
only results with ``match: true``, so provcheck reads ``results`` itself.
There is no cache: a failed server is exit 3.
"""

from __future__ import annotations

from typing import Any

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import (
    ListVersion,
    Match,
    ScreeningResult,
    ScreeningSettings,
)
from provenance_cli.util.errors import ServiceError

BATCH = 100
LIMIT = 5
ALGORITHM = "best"
MAX_RESPONSE = 50 * 1024 * 1024

DATASET_KEYS = {
    "us_ofac_sdn": "sdn",
    "us_ofac_cons": "opensanctions",
    "us_bis_denied": "dpl",
    "us_dod_chinese_milcorps": "dod_1260h",
}
"""yente datasets that are a provcheck list; others report as ``opensanctions``."""


def _list_key(datasets: list[Any]) -> str:
    for dataset in datasets:
        if isinstance(dataset, str) and dataset in DATASET_KEYS:
            return DATASET_KEYS[dataset]
    return "opensanctions"


def _explain(result: dict[str, Any]) -> str:
    details = result.get("explanations") or result.get("features") or {}
    if isinstance(details, dict) and details:
        parts = []
        for name, value in sorted(details.items()):
            if isinstance(value, dict):
                value = value.get("score", value.get("value"))
            if isinstance(value, (int, float)):
                parts.append(f"{name} {value:.2f}")
            else:
                parts.append(str(name))
        return ", ".join(parts[:4])
    return ""


def screen_yente(queries: list[Any], settings: ScreeningSettings) -> ScreeningResult:
    """Screen ``queries`` on a yente server in batches, keeping the best match per list entry, role and parent.

    Any server failure is a ServiceError (exit 3): there is no cache to fall back on.
    """
    import json

    from provenance_cli.screening.cache import now_iso
    from provenance_cli.screening.config import load_config
    from provenance_cli.util import net

    if not settings.yente_url:
        raise ServiceError("the yente backend needs a server URL")
    base = settings.yente_url.rstrip("/")
    url = f"{base}/match/{settings.yente_dataset}"
    fetch = load_config().fetch
    wanted = set(settings.lists) if settings.lists else None
    params = {
        "threshold": f"{settings.threshold / 100:.2f}",
        "limit": str(LIMIT),
        "algorithm": ALGORITHM,
    }
    todo = [q for q in queries if q.name and q.name.strip()]
    best: dict[tuple[str, str, str, int | None], Match] = {}
    try:
        client = net.client(connect=fetch.connect_timeout, read=fetch.read_timeout)
    except ServiceError as exc:
        raise ServiceError(f"yente at {base}: {exc}") from None
    import httpx

    with client:
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            body: dict[str, Any] = {"queries": {}}
            for offset, query in enumerate(batch):
                properties: dict[str, list[str]] = {"name": [query.name]}
                if query.country:
                    properties["country"] = [query.country.lower()]
                body["queries"][f"q{start + offset}"] = {
                    "schema": "Company",
                    "properties": properties,
                }
            try:
                with client.stream("POST", url, params=params, json=body) as response:
                    if response.status_code != 200:
                        raise ServiceError(f"yente at {base} answered HTTP {response.status_code}")
                    payload = json.loads(net.read_capped(response, MAX_RESPONSE))
            except httpx.HTTPError as exc:
                raise ServiceError(f"yente at {base} failed: {exc or type(exc).__name__}") from None
            except ValueError:
                raise ServiceError(f"yente at {base} did not answer with JSON") from None
            responses = payload.get("responses") if isinstance(payload, dict) else None
            if not isinstance(responses, dict):
                raise ServiceError(f"yente at {base} answered without 'responses'")
            for offset, query in enumerate(batch):
                answer = responses.get(f"q{start + offset}") or {}
                for result in answer.get("results") or []:
                    if not isinstance(result, dict) or not result.get("id"):
                        continue
                    score = int(round(float(result.get("score") or 0) * 100))
                    if score < settings.threshold:
                        continue
                    key = _list_key(result.get("datasets") or [])
                    if wanted is not None and key not in wanted:
                        continue
                    names = (result.get("properties") or {}).get("name") or []
                    caption = str(result.get("caption") or (names[0] if names else result["id"]))
                    explained = _explain(result)
                    match = Match(
                        list_key=key,
                        list_name=LIST_NAMES.get(key, key)
                        if key != "opensanctions"
                        else f"OpenSanctions ({', '.join(map(str, result.get('datasets') or []))})",
                        entry_id=str(result["id"]),
                        entry_name=caption,
                        matched_name=caption,
                        screened_name=query.name,
                        role=query.role,
                        score=score,
                        reason=f"yente {ALGORITHM} {score}" + (f": {explained}" if explained else ""),
                        list_date=(str(result.get("last_change") or "")[:10] or None),
                        parent_index=query.parent_index,
                        parent_name=query.parent_name,
                    )
                    slot = (key, match.entry_id, query.role, query.parent_index)
                    if slot not in best or match.score > best[slot].score:
                        best[slot] = match
    version = ListVersion("opensanctions", f"yente {settings.yente_dataset}", None, now_iso(), None, 0, url)
    matches = sorted(best.values(), key=lambda m: (-m.score, m.list_key, m.entry_id))
    return ScreeningResult(matches=tuple(matches), list_versions=(version,))

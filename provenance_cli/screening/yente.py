"""The yente backend: screening against an OpenSanctions yente server.

``POST {url}/match/{dataset}`` with ``{"queries": {key: {"schema": "Company",
"properties": {"name": [...], "country": [...]}}}}`` in batches of at most
100 (``schema`` is ``Person`` for a query whose ``kind`` is ``person``),
query parameters ``threshold`` (0-1), ``limit`` and ``algorithm``.
Each ``responses[key].results[]`` item carries ``id``, ``caption``,
``schema``, ``properties``, ``datasets``, ``score``, ``match`` and either
``explanations`` (yente 5) or ``features`` (older). ``total.value`` counts
only results with ``match: true``, so provcheck reads ``results`` itself.

Fail closed. A screening that silently finds nothing is the worst outcome,
so the whole answer of a batch is checked before any of it is used: every
query key sent must come back as an object with ``status`` 200 and a
``results`` list, and every result must be an object with a string ``id``
and ``caption``, a list of ``datasets``, a numeric ``score`` in [0, 1] and
``properties`` mapping names to lists. Anything else (a missing or failed
query, a malformed result, a body that is not JSON, an HTTP error, a
timeout, an oversized answer) is a ServiceError, exit 3, with one line
naming what was wrong. There is no cache to fall back on.

Threshold. provcheck's threshold (0-100, policy default 88) is a score of
its own fuzzy name matcher; yente's ``score`` (0-1) comes from a different
algorithm that weighs more than the name. The two scales are not calibrated
against each other: 88 in provcheck and 0.88 in yente do not mean the same
strength of resemblance. provcheck sends ``threshold / 100`` (88 -> 0.88) so
that yente returns no weaker candidates than asked for, and then keeps only
results whose ``score * 100`` reaches the threshold itself, so the policy's
threshold is what decides a match whatever yente's defaults, version or
``cutoff`` behaviour. Tune the policy threshold against yente's scores when
using this backend rather than assuming the local calibration carries over.

Lists. An entity is labelled with every provcheck list among its
``datasets`` (an SDN entry that also sits in a collection such as
``sanctions`` is reported as SDN, and ``--list sdn`` keeps it); one match is
reported per list. An entity on none of them is reported as
``opensanctions``, naming its datasets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeGuard

from provenance_cli.formats.vocabulary import LIST_NAMES
from provenance_cli.screening.model import (
    ListVersion,
    Match,
    ScreeningResult,
    ScreeningSettings,
)
from provenance_cli.util.errors import ServiceError

if TYPE_CHECKING:
    import httpx

BATCH = 100
LIMIT = 5
ALGORITHM = "best"
MAX_RESPONSE = 50 * 1024 * 1024

DATASET_KEYS: dict[str, str] = {
    "us_ofac_sdn": "sdn",
    "us_bis_denied": "dpl",
    "us_ddtc_debarred": "dtc",
    "us_dod_chinese_milcorps": "dod_1260h",
    # Names a self-hosted yente may give these lists when it indexes them on their own;
    # OpenSanctions itself publishes the Entity List only inside us_trade_csl and
    # CMIC only inside us_ofac_cons.
    "us_bis_entity_list": "el",
    "us_ofac_cmic": "cmic",
    "us_ofac_ns_cmic": "cmic",
}
"""yente datasets that are a provcheck list. Mixed datasets (``us_trade_csl``,
``us_ofac_cons``: several US lists whose match results do not say which one
an entity is on) and every other dataset report as ``opensanctions``."""

_SHOWN = 60

Fail = Callable[[str], NoReturn]


def _shown(value: object) -> str:
    """A value for an error line: quoted, escaped onto one line, shortened."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def list_keys(datasets: list[str]) -> list[str]:
    """The provcheck list keys of an entity's datasets, in a stable order; ``opensanctions`` when none is known."""
    keys = sorted({DATASET_KEYS[d] for d in datasets if d in DATASET_KEYS})
    return keys or ["opensanctions"]


def _explain(result: dict[str, Any]) -> str:
    details = result.get("explanations") or result.get("features") or {}
    if isinstance(details, dict) and details:
        parts = []
        for name, value in sorted(details.items(), key=lambda item: str(item[0])):
            if isinstance(value, dict):
                value = value.get("score", value.get("value"))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                parts.append(f"{name} {value:.2f}")
            else:
                parts.append(str(name))
        return ", ".join(parts[:4])
    return ""


def _is_score(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_result(fail: Fail, key: str, number: int, result: object) -> None:
    """Refuse one result of query ``key`` (1-based ``number``) unless it has the shape provcheck relies on."""
    where = f"result {number} of query '{key}'"
    if not isinstance(result, dict):
        fail(f"{where} is not an object")
    entity_id = result.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        fail(f"{where} has no string id")
    if not isinstance(result.get("caption"), str):
        fail(f"{where} has no string caption")
    datasets = result.get("datasets")
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        fail(f"{where} has datasets {_shown(datasets)}, not a list of names")
    score = result.get("score")
    if not _is_score(score):
        fail(f"{where} has a non-numeric score {_shown(score)}")
    if not 0 <= score <= 1:
        fail(f"{where} has a score {_shown(score)} outside 0-1")
    properties = result.get("properties")
    if not isinstance(properties, dict):
        fail(f"{where} has properties {_shown(properties)}, not an object")
    for name, values in properties.items():
        if not isinstance(values, list):
            fail(f"{where} has property {_shown(name)} {_shown(values)}, not a list")


def _check_payload(fail: Fail, payload: object, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The results of every query key sent, once the whole answer has been checked."""
    if not isinstance(payload, dict):
        fail(f"answered with JSON {type(payload).__name__}, not an object")
    responses = payload.get("responses")
    if not isinstance(responses, dict):
        fail("answered without 'responses'")
    checked: dict[str, list[dict[str, Any]]] = {}
    for key in keys:
        if key not in responses:
            fail(f"answered without a result for query '{key}'")
        answer = responses[key]
        if not isinstance(answer, dict):
            fail(f"answered query '{key}' with {_shown(answer)}, not an object")
        status = answer.get("status")
        if status != 200 or isinstance(status, bool):
            detail = answer.get("detail") or answer.get("message")
            extra = f": {_shown(detail)}" if isinstance(detail, str) and detail else ""
            fail(f"query '{key}' failed with status {_shown(status)}{extra}")
        results = answer.get("results")
        if not isinstance(results, list):
            fail(f"answered query '{key}' with results {_shown(results)}, not a list")
        for number, result in enumerate(results, start=1):
            _check_result(fail, key, number, result)
        checked[key] = results
    return checked


def _schema(query: Any) -> str:
    return "Person" if getattr(query, "kind", "company") == "person" else "Company"


def _post(client: httpx.Client, url: str, params: dict[str, str], body: dict[str, Any], fail: Fail, fetch: Any) -> object:
    """POST one batch and return its JSON answer; every transport failure goes to ``fail``."""
    import json

    import httpx

    from provenance_cli.util import net

    try:
        with client.stream("POST", url, params=params, json=body) as response:
            if response.status_code != 200:
                fail(f"answered HTTP {response.status_code}")
            raw = net.read_capped(response, MAX_RESPONSE)
    except httpx.TimeoutException:
        fail(f"did not answer in time (connect {fetch.connect_timeout:g} s, read {fetch.read_timeout:g} s)")
    except httpx.HTTPError as exc:
        fail(f"failed: {exc or type(exc).__name__}")
    except (net.ResponseTooLarge, net.BadRedirect) as exc:
        fail(str(exc))
    try:
        return json.loads(raw)
    except ValueError:  # not JSON, or not UTF-8
        fail("did not answer with JSON")


def _matches(query: Any, results: list[dict[str, Any]], settings: ScreeningSettings) -> list[Match]:
    """One match per (result, provcheck list) for the checked ``results`` of ``query`` that reach the threshold."""
    wanted = set(settings.lists) if settings.lists else None
    matches = []
    for result in results:
        raw_score = float(result["score"])
        if round(raw_score * 100, 6) < settings.threshold:
            continue
        score = int(round(raw_score * 100))
        datasets: list[str] = result["datasets"]
        caption: str = result["caption"] or str((result["properties"].get("name") or [result["id"]])[0])
        explained = _explain(result)
        changed = result.get("last_change")
        for list_key in list_keys(datasets):
            if wanted is not None and list_key not in wanted:
                continue
            if list_key != "opensanctions":
                list_name = LIST_NAMES.get(list_key, list_key)
            else:
                list_name = f"OpenSanctions ({', '.join(datasets)})" if datasets else "OpenSanctions"
            matches.append(
                Match(
                    list_key=list_key,
                    list_name=list_name,
                    entry_id=result["id"],
                    entry_name=caption,
                    matched_name=caption,
                    screened_name=query.name,
                    role=query.role,
                    score=score,
                    reason=f"yente {ALGORITHM} {score}" + (f": {explained}" if explained else ""),
                    list_date=(changed[:10] or None) if isinstance(changed, str) else None,
                    parent_index=query.parent_index,
                    parent_name=query.parent_name,
                )
            )
    return matches


def screen_yente(queries: list[Any], settings: ScreeningSettings) -> ScreeningResult:
    """Screen ``queries`` on a yente server in batches, keeping the best match per list entry, role and parent.

    Any server failure or malformed answer is a ServiceError (exit 3): there is no cache to fall back on.
    """
    from provenance_cli.screening.cache import now_iso
    from provenance_cli.screening.config import load_config
    from provenance_cli.util import net

    if not settings.yente_url:
        raise ServiceError("the yente backend needs a server URL")
    base = settings.yente_url.rstrip("/")
    url = f"{base}/match/{settings.yente_dataset}"

    def fail(message: str) -> NoReturn:
        raise ServiceError(" ".join(f"yente at {base}: {message}".split()))

    fetch = load_config().fetch
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
        fail(str(exc))
    with client:
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            keys = [f"q{start + offset}" for offset in range(len(batch))]
            body: dict[str, Any] = {"queries": {}}
            for key, query in zip(keys, batch, strict=True):
                properties: dict[str, list[str]] = {"name": [query.name]}
                if query.country:
                    properties["country"] = [query.country.lower()]
                body["queries"][key] = {"schema": _schema(query), "properties": properties}
            answers = _check_payload(fail, _post(client, url, params, body, fail, fetch), keys)
            for key, query in zip(keys, batch, strict=True):
                for match in _matches(query, answers[key], settings):
                    slot = (match.list_key, match.entry_id, query.role, query.parent_index)
                    if slot not in best or match.score > best[slot].score:
                        best[slot] = match
    version = ListVersion("opensanctions", f"yente {settings.yente_dataset}", None, now_iso(), None, 0, url)
    matches = sorted(best.values(), key=lambda m: (-m.score, m.list_key, m.entry_id))
    return ScreeningResult(matches=tuple(matches), list_versions=(version,))

"""Reading AI bills of materials: a CycloneDX 1.6 ML-BOM (JSON) or an SPDX 3.0 AI package (JSON-LD).

What provcheck takes from a BOM is what a lineage review asks for: the model
(name, version, supplier), its ancestors (``pedigree`` in CycloneDX,
``ancestorOf``/``descendantOf`` relationships in SPDX), its licence, what it
says about its training data, and its model card. Every fact keeps the JSON
pointer it was read at, so each prefilled answer can cite exactly where in
the BOM it comes from.

CycloneDX is validated and parsed with cyclonedx-python-lib (the optional
``provcheck[bom]`` extra): the JSON Schema of the declared spec version
gives each problem its JSON pointer, and the library's model gives the
component, its licences, pedigree and external references. The library has
no model of ``modelCard``, which is read from the validated JSON.

SPDX 3 is read by provcheck's own strict reader: spdx-tools (0.8) models a
pre-release of SPDX 3 and writes it, but does not parse SPDX 3 JSON-LD. The
reader checks the context and ``specVersion``, the shape of every element it
uses (types of each property, references that must resolve, relationship
types from the 3.0.1 vocabulary) and reports each problem with its pointer.

A malformed BOM is an :class:`~provenance_cli.util.errors.InputError`
(exit 2): ``file: /pointer: what is wrong`` (or ``file:line:col`` for JSON
that does not parse).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance_cli.util.errors import InputError, Problem, UsageError

MAX_BOM_BYTES = 32 * 1024 * 1024
"""Largest BOM read (an ML-BOM is kilobytes; one listing every dataset file may be megabytes)."""
CYCLONEDX_VERSIONS = ("1.5", "1.6")
SPDX_CONTEXTS = ("https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "https://spdx.org/rdf/3.0.0/spdx-context.jsonld")
SPDX_RELATIONSHIPS = frozenset(
    {
        "affects", "amendedBy", "ancestorOf", "availableFrom", "configures", "contains", "coordinatedBy", "copiedTo",
        "delegatedTo", "dependsOn", "descendantOf", "describes", "doesNotAffect", "expandsTo", "exploitCreatedBy",
        "fixedBy", "fixedIn", "foundBy", "generates", "hasAddedFile", "hasAssessmentFor", "hasAssociatedVulnerability",
        "hasConcludedLicense", "hasDataFile", "hasDeclaredLicense", "hasDeletedFile", "hasDependencyManifest",
        "hasDistributionArtifact", "hasDocumentation", "hasDynamicLink", "hasEvidence", "hasExample", "hasHost",
        "hasInput", "hasMetadata", "hasOptionalComponent", "hasOptionalDependency", "hasOutput", "hasPrerequisite",
        "hasProvidedDependency", "hasRequirement", "hasSpecification", "hasStaticLink", "hasTest", "hasTestCase",
        "hasVariant", "invokedBy", "modifiedBy", "other", "packagedBy", "patchedBy", "publishedBy", "reportedBy",
        "republishedBy", "serializedInArtifact", "testedOn", "trainedOn", "underInvestigationFor", "usesTool",
    }
)  # fmt: skip
"""SPDX 3.0.1's RelationshipType vocabulary: anything else is refused, with its pointer."""


@dataclass(frozen=True)
class Fact:
    """One value read from the BOM, with the JSON pointer it was read at."""

    value: str
    pointer: str


@dataclass(frozen=True)
class Ancestor:
    """A model the BOM's model was derived from."""

    name: str
    version: str | None
    supplier: str | None
    pointer: str


@dataclass(frozen=True)
class BomModel:
    """What a BOM says about one model, every fact with its pointer."""

    format: str
    """``CycloneDX 1.6`` or ``SPDX 3.0.1``."""
    source: str
    """The BOM file as the user named it."""
    pointer: str
    """Where the model itself is described (``/metadata/component``, ``/@graph/4``)."""
    name: str
    version: str | None = None
    supplier: str | None = None
    authors: tuple[str, ...] = ()
    """Who wrote the BOM (CycloneDX metadata authors/manufacturer/supplier; SPDX creators)."""
    created: str | None = None
    """When the BOM was made (YYYY-MM-DD), from its metadata."""
    serial: str | None = None
    location: str | None = None
    """Where the BOM says it is published (an http(s) URL), if it says."""
    licences: tuple[Fact, ...] = ()
    ancestors: tuple[Ancestor, ...] = ()
    training: tuple[Fact, ...] = ()
    """What it says about its training data: dataset descriptions, training notes."""
    model_card_url: Fact | None = None
    card_sections: tuple[str, ...] = ()
    """The model-card sections the BOM carries (parameters, metrics, limitations...)."""
    notes: tuple[str, ...] = field(default=())


def _problem(source: str, pointer: str, message: str) -> Problem:
    return Problem(source, 0, 0, f"{pointer or '/'}: {message}")


def pointer_of(path: Any) -> str:
    """A JSON pointer (RFC 6901) for a sequence of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def read_bom(path: Path, model: str | None = None) -> BomModel:
    """The model a BOM describes (``model`` chooses among several); InputError with pointers when the BOM is malformed."""
    from provenance_cli.util.files import read_user_file

    source = str(path)
    raw = read_user_file(path, limit=MAX_BOM_BYTES, expected="a BOM (JSON)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError([Problem(source, 0, 0, f"not UTF-8 text: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")]) from None
    if isinstance(data, dict) and data.get("bomFormat") == "CycloneDX":
        return read_cyclonedx(data, source, model)
    if isinstance(data, dict) and "@graph" in data:
        return read_spdx3(data, source, model)
    raise InputError(
        [_problem(source, "", "neither a CycloneDX BOM (bomFormat: CycloneDX) nor an SPDX 3 JSON-LD document (@context, @graph)")]
    )


# --------------------------------------------------------------------------- CycloneDX


def _cyclonedx_problems(data: dict[str, Any], source: str) -> list[Problem]:
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError:
        raise UsageError("reading a CycloneDX BOM needs cyclonedx-python-lib: pip install 'provcheck[bom]'") from None
    version = str(data.get("specVersion", ""))
    if version not in CYCLONEDX_VERSIONS:
        return [
            _problem(
                source, "/specVersion", f"CycloneDX {version or '(none)'} is not read; expected {' or '.join(CYCLONEDX_VERSIONS)} (ML-BOM)"
            )
        ]
    validator = JsonStrictValidator(SchemaVersion.from_version(version))
    found = validator.validate_str(json.dumps(data), all_errors=True)
    if not found:
        return []
    errors = [found] if hasattr(found, "data") else list(found)
    problems = []
    for error in errors:
        detail = error.data
        message = " ".join(str(getattr(detail, "message", detail)).split())
        problems.append(_problem(source, pointer_of(getattr(detail, "absolute_path", ())), message[:300]))
    return sorted(set(problems))


def read_cyclonedx(data: dict[str, Any], source: str, model: str | None) -> BomModel:
    """A CycloneDX 1.5/1.6 BOM, validated against its schema and parsed with cyclonedx-python-lib."""
    problems = _cyclonedx_problems(data, source)
    if problems:
        raise InputError(problems)
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import ComponentType

    bom = Bom.from_json(data)  # type: ignore[attr-defined]
    candidates: list[tuple[Any, str, dict[str, Any]]] = []
    metadata = data.get("metadata") or {}
    if bom.metadata.component is not None and bom.metadata.component.type == ComponentType.MACHINE_LEARNING_MODEL:
        candidates.append((bom.metadata.component, "/metadata/component", metadata["component"]))
    for index, raw in enumerate(data.get("components") or []):
        if raw.get("type") == "machine-learning-model":
            component = next(c for c in bom.components if c.name == raw.get("name") and (c.version or None) == raw.get("version"))
            candidates.append((component, f"/components/{index}", raw))
    component, pointer, raw = _choose(candidates, source, model, "/components")
    supplier = component.supplier.name if component.supplier is not None else None
    if supplier is None and component.manufacturer is not None:
        supplier = component.manufacturer.name
    authors = [a.name for a in bom.metadata.authors if a.name]
    for party in (bom.metadata.manufacturer, bom.metadata.supplier):
        if party is not None and party.name:
            authors.append(party.name)
    licences = []
    for index, entry in enumerate(component.licenses):
        value = getattr(entry, "value", None) or getattr(entry, "id", None) or getattr(entry, "name", None)
        if value:
            licences.append(Fact(str(value), f"{pointer}/licenses/{index}"))
    ancestors = []
    if component.pedigree is not None:
        raw_ancestors = (raw.get("pedigree") or {}).get("ancestors") or []
        for index, item in enumerate(raw_ancestors):
            ancestors.append(
                Ancestor(
                    str(item.get("name")),
                    item.get("version"),
                    (item.get("supplier") or {}).get("name"),
                    f"{pointer}/pedigree/ancestors/{index}",
                )
            )
    card_url = None
    for index, ref in enumerate(raw.get("externalReferences") or []):
        if ref.get("type") == "model-card" and card_url is None:
            card_url = Fact(str(ref["url"]), f"{pointer}/externalReferences/{index}/url")
    training, sections = _model_card(raw.get("modelCard") or {}, f"{pointer}/modelCard")
    for index, other in enumerate(data.get("components") or []):
        if other.get("type") == "data" and other.get("description"):
            training.append(Fact(f"{other.get('name')}: {' '.join(str(other['description']).split())}", f"/components/{index}/description"))
    timestamp = str(metadata.get("timestamp") or "")[:10] or None
    return BomModel(
        format=f"CycloneDX {data['specVersion']}",
        source=source,
        pointer=pointer,
        name=component.name,
        version=component.version,
        supplier=supplier,
        authors=tuple(dict.fromkeys(authors)),
        created=timestamp,
        serial=str(data["serialNumber"]) if data.get("serialNumber") else None,
        location=_cyclonedx_location(data, raw),
        licences=tuple(licences),
        ancestors=tuple(ancestors),
        training=tuple(training),
        model_card_url=card_url,
        card_sections=tuple(sections),
    )


def _cyclonedx_location(data: dict[str, Any], component: dict[str, Any]) -> str | None:
    """Where the BOM says it is published: an external reference of type ``bom`` (the BOM's or the model's)."""
    for refs in (data.get("externalReferences") or [], component.get("externalReferences") or []):
        for ref in refs:
            url = str(ref.get("url", ""))
            if ref.get("type") == "bom" and url.startswith(("https://", "http://")):
                return url
    return None


def _model_card(card: dict[str, Any], pointer: str) -> tuple[list[Fact], list[str]]:
    """Training-data descriptions and the sections present, from a CycloneDX ``modelCard``."""
    training: list[Fact] = []
    sections = [name for name in ("modelParameters", "quantitativeAnalysis", "considerations") if card.get(name)]
    for index, dataset in enumerate((card.get("modelParameters") or {}).get("datasets") or []):
        if dataset.get("description") or dataset.get("name"):
            said = ": ".join(str(part) for part in (dataset.get("name"), dataset.get("description")) if part)
            training.append(Fact(" ".join(said.split()), f"{pointer}/modelParameters/datasets/{index}"))
    return training, sections


def _choose(candidates: list[Any], source: str, model: str | None, where: str) -> Any:
    """The one model the BOM describes, or the one named ``model``."""
    if not candidates:
        raise InputError([_problem(source, where, "no machine-learning model is described in this BOM")])
    if model is not None:
        wanted = " ".join(model.split()).casefold()
        chosen = [c for c in candidates if " ".join(str(_name_of(c)).split()).casefold() == wanted]
        if not chosen:
            names = ", ".join(repr(_name_of(c)) for c in candidates)
            raise InputError([_problem(source, where, f"no model named {model!r} in this BOM (it describes {names})")])
        return chosen[0]
    if len(candidates) > 1:
        names = ", ".join(repr(_name_of(c)) for c in candidates)
        raise InputError([_problem(source, where, f"the BOM describes several models ({names}); name one with --bom-model")])
    return candidates[0]


def _name_of(candidate: Any) -> str:
    first = candidate[0]
    return str(first.name if hasattr(first, "name") else first.get("name"))


# --------------------------------------------------------------------------- SPDX 3 (JSON-LD), provcheck's own strict reader


class _Graph:
    """The ``@graph`` of an SPDX 3 document, indexed by id, with every problem found while reading it."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.by_id: dict[str, tuple[int, dict[str, Any]]] = {}
        self.elements: list[dict[str, Any]] = []
        graph = data.get("@graph")
        if not isinstance(graph, list) or not graph:
            self.fail("/@graph", "expected a non-empty list of elements")
            return
        for index, element in enumerate(graph):
            if not isinstance(element, dict) or not isinstance(element.get("type"), str):
                self.fail(f"/@graph/{index}", "expected an element: an object with a 'type'")
                self.elements.append({})
                continue
            self.elements.append(element)
            ident = element.get("spdxId", element.get("@id"))
            if ident is not None:
                if not isinstance(ident, str) or not ident:
                    self.fail(f"/@graph/{index}/spdxId", "expected an IRI or a blank-node id as text")
                elif ident in self.by_id:
                    self.fail(f"/@graph/{index}/spdxId", f"{ident!r} is used by /@graph/{self.by_id[ident][0]} too")
                else:
                    self.by_id[ident] = (index, element)

    def fail(self, pointer: str, message: str) -> None:
        self.problems.append(_problem(self.source, pointer, message))

    def text(self, index: int, key: str, *, required: bool = False) -> str | None:
        value = self.elements[index].get(key)
        if value is None:
            if required:
                self.fail(f"/@graph/{index}", f"{self.elements[index]['type']} needs '{key}'")
            return None
        if not isinstance(value, str):
            self.fail(f"/@graph/{index}/{key}", f"expected text, got {type(value).__name__}")
            return None
        return value

    def texts(self, index: int, key: str) -> list[str]:
        value = self.elements[index].get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"/@graph/{index}/{key}", "expected a list of text")
            return []
        return value

    def ref(self, index: int, key: str, value: str, position: int | None = None) -> tuple[int, dict[str, Any]] | None:
        where = f"/@graph/{index}/{key}" + (f"/{position}" if position is not None else "")
        found = self.by_id.get(value)
        if found is None:
            self.fail(where, f"refers to {value!r}, which no element of this document has")
        return found

    def of_type(self, name: str) -> list[int]:
        return [i for i, e in enumerate(self.elements) if e.get("type") == name]


def read_spdx3(data: dict[str, Any], source: str, model: str | None) -> BomModel:
    """An SPDX 3.0 document with an ``ai_AIPackage``, read strictly (see the module docstring)."""
    graph = _Graph(data, source)
    context = data.get("@context")
    if context not in SPDX_CONTEXTS:
        graph.fail("/@context", f"expected the SPDX 3.0 context ({SPDX_CONTEXTS[0]}), got {context!r}")
    info = graph.of_type("CreationInfo")
    if not info:
        graph.fail("/@graph", "no CreationInfo element: an SPDX 3 document states its specVersion there")
    for index in info:
        version = graph.text(index, "specVersion", required=True)
        if version is not None and not version.startswith("3.0"):
            graph.fail(f"/@graph/{index}/specVersion", f"SPDX {version} is not read; expected 3.0.x")
    relationships = _relationships(graph)
    packages = [(graph.elements[i], f"/@graph/{i}", graph.elements[i]) for i in graph.of_type("ai_AIPackage")]
    roots = {r for i in graph.of_type("SpdxDocument") + graph.of_type("software_Sbom") for r in graph.texts(i, "rootElement")}
    described = [p for p in packages if p[2].get("spdxId", p[2].get("@id")) in roots]
    if described and model is None:
        packages = described  # the document says which model it is about; the others are its ancestors or parts
    if graph.problems:
        raise InputError(sorted(set(graph.problems)))
    _, pointer, package = _choose(packages, source, model, "/@graph")
    index = int(pointer.rsplit("/", 1)[1])
    ident = package.get("spdxId", package.get("@id"))
    found = _spdx_model(graph, index, str(ident), relationships, source)
    if graph.problems:
        raise InputError(sorted(set(graph.problems)))
    return found


def _relationships(graph: _Graph) -> list[tuple[int, str, str, list[str]]]:
    """(index, type, from, to) of every Relationship, each checked."""
    found = []
    for index in graph.of_type("Relationship") + graph.of_type("LifecycleScopedRelationship"):
        kind = graph.text(index, "relationshipType", required=True)
        source = graph.text(index, "from", required=True)
        targets = graph.texts(index, "to")
        if kind is not None and kind not in SPDX_RELATIONSHIPS:
            graph.fail(f"/@graph/{index}/relationshipType", f"{kind!r} is not an SPDX 3.0.1 relationship type")
            continue
        if kind is None or source is None:
            continue
        graph.ref(index, "from", source)
        for position, target in enumerate(targets):
            if target not in ("NoAssertionElement", "NoneElement"):
                graph.ref(index, "to", target, position)
        found.append((index, kind, source, targets))
    return found


def _spdx_model(graph: _Graph, index: int, ident: str, relationships: list[tuple[int, str, str, list[str]]], source: str) -> BomModel:
    name = graph.text(index, "name", required=True) or ""
    supplier = None
    supplied = graph.text(index, "suppliedBy")
    if supplied is not None:
        agent = graph.ref(index, "suppliedBy", supplied)
        supplier = agent[1].get("name") if agent is not None else None
    ancestors: list[Ancestor] = []
    licences: list[Fact] = []
    training: list[Fact] = []
    for rel, kind, origin, targets in relationships:
        others = [t for t in targets if t in graph.by_id]
        if kind == "ancestorOf" and ident in targets and origin in graph.by_id:
            ancestors.append(_spdx_ancestor(graph, origin, f"/@graph/{rel}"))
        elif kind == "descendantOf" and origin == ident:
            ancestors.extend(_spdx_ancestor(graph, target, f"/@graph/{rel}") for target in others)
        elif kind in ("hasConcludedLicense", "hasDeclaredLicense") and origin == ident:
            for target in others:
                position, element = graph.by_id[target]
                value = element.get("simplelicensing_licenseExpression") or target.rsplit("/", 1)[-1]
                licences.append(Fact(str(value), f"/@graph/{position}"))
        elif kind == "trainedOn" and origin == ident:
            for target in others:
                position, element = graph.by_id[target]
                said = ": ".join(str(p) for p in (element.get("name"), element.get("description")) if p)
                if said:
                    training.append(Fact(" ".join(said.split()), f"/@graph/{position}"))
    about = graph.text(index, "ai_informationAboutTraining")
    if about:
        training.insert(0, Fact(" ".join(about.split()), f"/@graph/{index}/ai_informationAboutTraining"))
    card = None
    for position, ref in enumerate(graph.elements[index].get("externalRef") or []):
        locators = ref.get("locator") if isinstance(ref, dict) else None
        if isinstance(ref, dict) and ref.get("externalRefType") == "documentation" and isinstance(locators, list) and locators:
            card = Fact(str(locators[0]), f"/@graph/{index}/externalRef/{position}/locator/0")
            break
    sections = [key for key in ("ai_informationAboutTraining", "ai_metric", "ai_limitation") if graph.elements[index].get(key)]
    creators, created = _spdx_creation(graph)
    documents = graph.of_type("SpdxDocument")
    location = None
    if documents:
        document_id = graph.elements[documents[0]].get("spdxId")
        if isinstance(document_id, str) and document_id.startswith(("https://", "http://")):
            location = document_id
    return BomModel(
        format="SPDX 3.0",
        source=source,
        pointer=f"/@graph/{index}",
        name=name,
        version=graph.text(index, "software_packageVersion"),
        supplier=supplier,
        authors=creators,
        created=created,
        serial=ident,
        location=location,
        licences=tuple(dict.fromkeys(licences)),
        ancestors=tuple(ancestors),
        training=tuple(training),
        model_card_url=card,
        card_sections=tuple(sections),
    )


def _spdx_ancestor(graph: _Graph, ident: str, pointer: str) -> Ancestor:
    position, element = graph.by_id[ident]
    supplier = None
    supplied = element.get("suppliedBy")
    if isinstance(supplied, str) and supplied in graph.by_id:
        supplier = graph.by_id[supplied][1].get("name")
    return Ancestor(str(element.get("name", ident)), element.get("software_packageVersion"), supplier, f"/@graph/{position}")


def _spdx_creation(graph: _Graph) -> tuple[tuple[str, ...], str | None]:
    creators: list[str] = []
    created = None
    for index in graph.of_type("CreationInfo"):
        created = created or (graph.text(index, "created") or "")[:10] or None
        for who in graph.texts(index, "createdBy"):
            agent = graph.by_id.get(who)
            if agent is not None and agent[1].get("name"):
                creators.append(str(agent[1]["name"]))
    return tuple(dict.fromkeys(creators)), created

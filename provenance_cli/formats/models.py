"""Typed models of questionnaires and dossiers (the file formats).

These pydantic models are the single definition of both formats: the
loaders validate against them and ``provenance_cli.formats.schemas`` generates the
published JSON Schemas from them, so the schemas cannot drift from the code.
Every scalar arrives as text from :mod:`provenance_cli.formats.safeyaml`; the field
types below decide what becomes a number, a date or a flag.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from provenance_cli.formats.jurisdictions import ISO_3166_ALPHA2
from provenance_cli.formats.vocabulary import (
    ActionOwner,
    ActionType,
    AnswerType,
    Audience,
    ControlKind,
    Criticality,
    DataClass,
    EvidenceKind,
    KeyPersonRole,
    ModelAccess,
    PartyKind,
    Severity,
    Tier,
    TriggerKind,
    TriggerSeverity,
    UserPopulation,
)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_QUESTION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*\.[a-z0-9][a-z0-9_]*$")
_RULE_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*-[0-9A-Z][0-9A-Z_-]*$")
_SEMVER_RE = re.compile(r"^\d+\.\d+\.\d+$")
_VENDOR_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


_DATES_READ: dict[str, date] = {}
"""Texts already read as dates: a dossier writes about 180 dates, mostly the same few days, and a portfolio repeats them
(dates are immutable, so sharing one object is safe; only valid dates are kept, so every refusal is worded afresh)."""
_DATES_KEPT = 4096


def parse_iso_date(value: Any) -> Any:
    """Accept only YYYY-MM-DD text (or a date), never timestamps or other forms."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        known = _DATES_READ.get(value)
        if known is not None:
            return known
        text = value.strip()
        if _DATE_RE.match(text):
            try:
                parsed = date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a real calendar date (expected YYYY-MM-DD)") from None
            if len(_DATES_READ) < _DATES_KEPT:
                _DATES_READ[value] = parsed
            return parsed
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


_WHITESPACE = re.compile(r"\s")


_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#]|\Z)")
"""The common case, decided without ``urlsplit``: a lower-case http(s) scheme, then a host of plain ASCII letters,
digits, dots and hyphens (no user, no brackets), an optional port, then the end or the start of a path, query or
fragment. ``urlsplit`` would read exactly that host as the netloc, so the address passes; anything else takes the
full check below, which also words every refusal."""


def check_url(value: str) -> str:
    """Evidence must be a web address a reviewer can open: http(s) with a host."""
    text = value.strip()
    if _WHITESPACE.search(text):  # one C-level scan; \s is exactly str.isspace() for str patterns
        raise ValueError(f"URL {value!r} contains whitespace")
    if _PLAIN_WEB_URL.match(text):  # about 0.5 microseconds instead of several: evidence URLs are most of a dossier's checks
        return text
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http:// or https:// URL with a host, got {value!r}")
    return text


def check_jurisdiction(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; anything else is refused with an example."""
    code = value.strip().upper()
    if code not in ISO_3166_ALPHA2:
        raise ValueError(f"expected an ISO 3166-1 alpha-2 country code such as US, CN or NO, got {value!r}")
    return code


def check_region(value: str) -> str:
    """A hosting region: an ISO 3166-1 alpha-2 code, or EU."""
    code = value.strip().upper()
    if code == "EU" or code in ISO_3166_ALPHA2:
        return code
    raise ValueError(f"expected an ISO 3166-1 alpha-2 country code or EU, got {value!r}")


def _pattern(regex: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.match(value):
            raise ValueError(f"expected {what}, got {value!r}")
        return value

    return AfterValidator(check)


IsoDate = Annotated[date, BeforeValidator(parse_iso_date)]
Url = Annotated[str, AfterValidator(check_url)]
Jurisdiction = Annotated[str, AfterValidator(check_jurisdiction)]
Region = Annotated[str, AfterValidator(check_region)]
Slug = Annotated[str, _pattern(_SLUG_RE, "lowercase letters, digits and _ (e.g. zero_retention)")]
QuestionId = Annotated[str, _pattern(_QUESTION_ID_RE, "a question id like retention.period_days")]
RuleId = Annotated[str, _pattern(_RULE_ID_RE, "a rule id like RET-01")]
SemVer = Annotated[str, _pattern(_SEMVER_RE, "a version like 1.0.0")]
VendorId = Annotated[str, _pattern(_VENDOR_ID_RE, "a vendor id: lowercase letters, digits and hyphens, such as northwind-frontier")]
Text = Annotated[str, Field(min_length=1)]


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored.

    A key written with no value (``aliases:``) means "not set", exactly as if
    it were absent, so the field's default applies (or "missing" is reported).

    ``defer_build``: a model's validator is built the first time it validates,
    not when its module is imported, so a run that never validates a model
    (questionnaires come from the compiled-catalogue cache) never pays for it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_unset(cls, data: Any) -> Any:
        # ``None in`` is one C-level scan (identity is checked first) and rules out most mappings; ``any`` keeps the test exact.
        if isinstance(data, dict) and None in data.values() and any(value is None for value in data.values()):
            return {key: value for key, value in data.items() if value is not None}
        return data


def format_version(*accepted: int) -> BeforeValidator:
    """A version field that accepts the listed versions (older ones are upgraded on read)."""

    def check(value: Any) -> int:
        text = str(value).strip()
        if text not in {str(v) for v in accepted}:
            raise ValueError(f"this provcheck reads format version {' or '.join(map(str, accepted))}, got {value!r}")
        return int(text)

    return BeforeValidator(check)


QUESTIONNAIRE_FORMAT = 2
"""The questionnaire format this provcheck's bundled questionnaires use; version 1 (no owners, types or clauses) is still read."""
QuestionnaireVersion = Annotated[int, format_version(1, 2)]


# --------------------------------------------------------------------------- questionnaire


class Choice(StrictModel):
    """One allowed answer of a choice question, with its risk rank."""

    value: Slug
    """Machine value written in dossiers."""
    label: Text
    """What the value means, for people."""
    risk: Annotated[int, Field(ge=0, le=10)]
    """Risk rank: 0 is favourable; a higher rank is a riskier answer."""
    unknown: bool = False
    """The answer says the fact is not known yet (e.g. ``not_reviewed``): like an undisclosed answer,
    it cannot decide a knock-out, so the decision is "incomplete" until it is replaced."""


class PartyRefs(StrictModel):
    """The controls one framework maps a question to, by whose control each is."""

    vendor: list[Text] = []
    """Controls the vendor operates; the buyer collects their evidence (e.g. ISO/IEC 42001 A.8.4)."""
    buyer: list[Text] = []
    """Controls the buyer operates itself (e.g. ISO/IEC 42001 A.10.3, its supplier process)."""
    unstated: list[Text] = []
    """Controls whose party the file does not state: a plain list (``iso_42001: [A.10.3]``) is read as this."""


def _plain_list(value: Any) -> Any:
    """A plain list of controls, as older files write a mapping, is a mapping whose party is not stated."""
    return {"unstated": value} if isinstance(value, list) else value


FrameworkRefs = Annotated[PartyRefs, BeforeValidator(_plain_list)]
"""``{vendor: [...], buyer: [...]}``, or a plain list whose party is not stated (accepted for older files)."""


def party_refs(refs: PartyRefs) -> tuple[tuple[str, str | None], ...]:
    """(control, party) pairs of one framework's mapping; the party is None where the file does not state it."""
    return (
        tuple((ref, "vendor") for ref in refs.vendor)
        + tuple((ref, "buyer") for ref in refs.buyer)
        + tuple((ref, None) for ref in refs.unstated)
    )


class Question(StrictModel):
    """One question of a questionnaire: what is asked, why it matters, how it is answered and weighted."""

    id: QuestionId
    text: Text
    help: Text
    """Why the answer matters for provenance risk."""
    audience: Audience = "vendor"
    """Who answers: ``vendor``, ``buyer`` (its own use, reviews, exit exercises) or ``either``.

    The default, ``vendor``, is what every question meant before the field
    existed. Only vendor and either questions are sent to the vendor, and only
    their ``undisclosed`` answers count as withheld by the vendor; buyer
    questions are the buyer's own open items."""
    vendor_text: Text | None = None
    """The question as put to the vendor, in the second person (vendor and either questions; default: ``text``)."""
    evidence_request: Text | None = None
    """The evidence asked for with the answer, e.g. "Link the clause of your terms"."""
    type: AnswerType
    choices: list[Choice] | None = None
    risky_answer: Literal["yes", "no"] | None = None
    """yes_no only: the unfavourable answer."""
    undisclosed_risk: Annotated[int, Field(ge=1, le=10)] | None = None
    """Rank of 'undisclosed'; default is the worst rank of the question."""
    unit: Text | None = None
    risk_direction: Literal["higher", "lower"] | None = None
    minimum: float | None = None
    maximum: float | None = None
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    evidence_required: bool = False
    applies_if: dict[str, Any] | None = None
    """Condition over earlier answers; see docs/FORMATS.md."""
    screening_lists: list[Text] = []
    """yes/no questions that ask "is it listed on X?": the list keys screening checks the answer against."""
    allegation: bool = False
    """Format 2: the answer reports a public allegation, so every finding on it cites its source and dates inline."""
    frameworks: dict[Slug, FrameworkRefs] | None = None
    """Framework id (see provenance_cli/formats/data/frameworks.yaml) -> the controls it maps to, by party."""
    added_in: SemVer | None = None
    """The questionnaire version that added the question (absent: it was there from the start)."""

    def framework_refs(self) -> tuple[tuple[str, str, str | None], ...]:
        """Every mapping as (framework, control, party), party None when the file does not say."""
        return tuple((name, ref, party) for name, refs in (self.frameworks or {}).items() for ref, party in party_refs(refs))


class Clause(StrictModel):
    """A contract clause findings can call for (format 2): one entry of the report's contract clause checklist."""

    id: Slug
    """Stable key recommendations name (``clause: deletion``); unique across all questionnaires."""
    title: Annotated[str, Field(min_length=1, max_length=80)]
    """The clause's name as a checklist shows it, e.g. "Deletion on request and at exit"."""
    rationale: Annotated[str, Field(min_length=1, max_length=240)]
    """Why the contract needs it, in one line."""


class Recommendation(StrictModel):
    """One action a finding calls for (format 2), with who acts and what kind of act it is."""

    text: Text
    """The action, in words."""
    owner: ActionOwner
    """Who acts: vendor (answers or commits), procurement, legal, security or engineering."""
    type: ActionType
    """ask, contract_clause, review or engineering_change."""
    clause: Slug | None = None
    """For ``type: contract_clause``: the clause (a ``clauses`` entry of any questionnaire) the action puts in the contract."""


class Rule(StrictModel):
    """A scoring rule: when its condition holds it adds points, may force a tier, and says what to do."""

    id: RuleId
    version: Annotated[int, Field(ge=1)]
    question: QuestionId | None = None
    """The question the rule scores; absent for rules over screening or vendor facts."""
    when: dict[str, Any]
    points: Annotated[float, Field(ge=0, le=100)]
    severity: Severity
    knockout: Tier | Literal["none"] | None = None
    """The lowest tier this rule forces when it fires (a hard stop), or ``none`` with a reason.

    A ``high`` or ``critical`` rule must be a knock-out of at least its severity,
    or say ``none`` and why, so that severity and verdict can never disagree.
    """
    knockout_reason: Text | None = None
    """Why a high or critical rule is deliberately not a knock-out (with ``knockout: none``)."""
    combine: Literal["max", "add"] = "max"
    """How the rule combines with others on the same question or fact: the strongest counts (max), or it adds."""
    message: Text
    recommendation: Text | None = None
    """Format 1: what to do, as one text with no owner or type."""
    recommendations: list[Recommendation] = []
    """Format 2: what to do, one action each with its owner and type."""


class Trigger(StrictModel):
    """A date that makes a finding once it passes: the assessment is due a second look, not a new verdict.

    Kinds (``kind``): ``date_reached`` fires when a date answer is on or
    before the day of the assessment plus ``days`` (0: the day itself), e.g.
    an export restoration date, a bill's expected vote, a contract renewal;
    ``date_older_than`` when a date answer is more than ``days`` old (the
    last screen); ``answer_older_than`` when answers (``question``, or every
    answer of the questionnaire) were confirmed more than ``days`` ago
    (default: the policy's freshness for the category); ``list_newer`` when
    a screened list's edition is newer than the date answer ``question``
    (default: the assessment date).
    """

    id: RuleId
    version: Annotated[int, Field(ge=1)]
    kind: TriggerKind
    question: QuestionId | None = None
    """The date question it watches (required for date_reached and date_older_than)."""
    days: Annotated[int, Field(ge=0, le=36_500)] | None = None
    """date_reached: how many days ahead it fires; date_older_than and answer_older_than: the age limit."""
    severity: TriggerSeverity = "low"
    message: Text
    """What the finding says, in words; the engine adds the dates behind it."""
    recommendation: Text | None = None
    """Format 1: what to do, as one text with no owner or type."""
    recommendations: list[Recommendation] = []
    """Format 2: what to do, one action each with its owner and type."""


class Questionnaire(StrictModel):
    """One bundled (or organisation-specific) questionnaire: a category of risk, its questions, rules and date triggers."""

    questionnaire: QuestionnaireVersion = 1
    """Questionnaire format version: 2 gives each recommendation an owner and a type and adds contract clauses; 1 is still read."""
    id: Slug
    version: SemVer
    """The content's own version: bump on any change of meaning."""
    title: Text
    description: Text
    questions: Annotated[list[Question], Field(min_length=1)]
    clauses: list[Clause] = []
    """Format 2: the contract clauses this questionnaire's recommendations can call for."""
    rules: list[Rule] = []
    triggers: list[Trigger] = []
    """Date triggers (optional; a questionnaire without them reads as before)."""


# --------------------------------------------------------------------------- dossier


class Evidence(StrictModel):
    """A source an answer rests on; only http(s) addresses, so reports never link elsewhere."""

    url: Url
    title: Text | None = None
    retrieved: IsoDate | None = None
    """When the assessor read the source."""
    kind: EvidenceKind


class AnswerEntry(StrictModel):
    """One answer in a dossier, with its evidence, a note and when it was known to be true."""

    answer: str | list[str] | None = None
    """Choice value, yes/no, number, date, text, list (multiple choice) or 'undisclosed'."""
    evidence: list[Evidence] = []
    note: str | None = None
    as_of: IsoDate | None = None
    """When the answer was known to be true; defaults to the assessment date."""


def parse_share(value: Any) -> Any:
    """An ownership share in percent (``60``, ``60%``, ``12.5``), or ``unknown``."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "unknown"):
        return None
    text = str(value).strip().rstrip("%").strip()
    try:
        share = float(text)
    except ValueError:
        raise ValueError(f"expected a percentage from 0 to 100 or 'unknown', got {value!r}") from None
    if not 0 <= share <= 100:
        raise ValueError(f"expected a percentage from 0 to 100 or 'unknown', got {value!r}")
    return share


Share = Annotated[float | None, BeforeValidator(parse_share)]


class Parent(StrictModel):
    """One owner in the ownership chain, a company or a person; screened like the vendor itself.

    ``share`` and ``holds_in`` let screening apply OFAC's 50 percent rule:
    holdings of blocked persons are added up, directly and through the
    entities they own.
    """

    name: Text
    kind: PartyKind = "company"
    """company or person: people are screened with person-name matching."""
    jurisdiction: Jurisdiction | None = None
    """Where a company is incorporated (for a person: nationality)."""
    aliases: list[Text] = []
    relationship: str | None = None
    share: Share = None
    """Percent of ``holds_in`` this owner holds (0-100), or ``unknown`` (the default)."""
    holds_in: Text | None = None
    """The entity the share is in: the vendor (default) or the name of another owner in this list."""
    control: list[ControlKind] = []
    """How it controls: equity, contractual_vie, golden_share, board_control, voting_agreement."""
    date_of_birth: IsoDate | None = None
    """For a person: ranks list candidates when the list gives one too; never hides a name match."""
    dossier: VendorId | None = None
    """The vendor id of this owner's own dossier, when it has one: what is found there (a listing in its chain) reaches this vendor."""


class KeyPerson(StrictModel):
    """A director, officer, beneficial owner or other key person; screened as a person."""

    name: Text
    role: KeyPersonRole = "key_person"
    aliases: list[Text] = []
    nationality: Jurisdiction | None = None
    date_of_birth: IsoDate | None = None


class Vendor(StrictModel):
    """Who the vendor is: names (all of them are screened), jurisdictions, ownership chain, hosting."""

    name: Text
    legal_name: Text
    id: VendorId | None = None
    """The stable id other dossiers link to; default: the slug of ``name`` (``Northwind Frontier`` -> ``northwind-frontier``)."""
    aliases: list[Text] = []
    headquarters: Jurisdiction | None = None
    """Where the vendor is incorporated; empty until the assessor records it."""
    parents: list[Parent] = []
    """Owners, nearest first: companies or people, with their share and what they hold it in."""
    people: list[KeyPerson] = []
    """Directors, officers, beneficial owners and other key persons, screened as people."""
    hosting_regions: list[Region] = []
    website: Url | None = None


class ModelRef(StrictModel):
    """A model described by a dossier: the vendor id of that dossier (this one when left out) and the model's name."""

    vendor: VendorId | None = None
    """The vendor id of the dossier that describes the model; left out, this dossier."""
    model: Text | None = None
    """The model's name as that dossier lists it; an upstream may leave it out to mean the vendor as a whole."""


class Developer(StrictModel):
    """Who built a model the vendor serves, when it is not the vendor itself; screened like the vendor's own names."""

    name: Text
    jurisdiction: Jurisdiction | None = None
    """Where the developer is established (ISO 3166-1 alpha-2); rules read it as ``developer_jurisdictions``."""
    aliases: list[Text] = []


class ModelInScope(StrictModel):
    """A model the vendor offers, how it is reached, where it comes from, and what differs for it."""

    name: Text
    version: str | None = None
    access: ModelAccess | None = None
    developer: Developer | None = None
    """Who built the model, or the base model it derives from, when it is not the vendor (a host serving another lab's
    open weights, a fine-tune of another lab's base model); screened, and read by rules as ``developer_jurisdictions``."""
    family: Text | None = None
    """The base-model family it belongs to, for the portfolio view (default: its base model's family, else its name)."""
    base_model: ModelRef | None = None
    """The model it was derived from (fine-tuned, distilled, quantised), in another dossier or this one."""
    routes_to: list[ModelRef] = []
    """For an aggregator: the upstream models (or vendors) requests for this model are routed to."""
    answers: dict[str, AnswerEntry] = {}
    """Answers that differ for this model (an export suspension, a licence, lineage): they replace the vendor's answers for it."""


class Engagement(StrictModel):
    """What the buyer will send the vendor and how much depends on it (inherent risk).

    A fact left out is unknown, never assumed harmless: a knock-out that
    depends on it makes the decision ``incomplete``.
    """

    use_case: Text | None = None
    """What the model is used for, in a few words."""
    data_classes: list[DataClass] | None = None
    """Classes of data sent: public, internal, confidential, personal, special_category, regulated."""
    criticality: Criticality | None = None
    """How critical the service is to the business: low, medium, high or critical."""
    users: UserPopulation | None = None
    """Who uses what is built: employees, customers or the public."""
    models: list[Text] | None = None
    """The models (by name, from ``models``) the engagement uses; left out, every model listed counts and the vendor
    is judged by the worst of them."""


class Assessment(StrictModel):
    """Who assessed the vendor and when (the default as-of date of every answer)."""

    assessor: Text
    date: IsoDate
    reviewer: str | None = None


DOSSIER_FORMAT = 2
"""The dossier format this provcheck writes; version 1 (no engagement block) is still read."""
POLICY_FORMAT = 2
"""The policy format this provcheck writes; version 1 (no buyer, jurisdictions or decision) is still read."""
DossierVersion = Annotated[int, format_version(1, 2)]
PolicyVersion = Annotated[int, format_version(1, 2)]


class DossierModel(StrictModel):
    """A vendor dossier: the vendor, the engagement, the models in scope and every answer."""

    provcheck: DossierVersion
    """Dossier format version (2; 1 is read as 2 with an unknown engagement)."""
    questionnaires: dict[Slug, SemVer] = {}
    """The questionnaire versions the answers were given against (``provcheck init`` writes them); validate names newer questions."""
    vendor: Vendor
    engagement: Engagement | None = None
    """The engagement under review: data sent, criticality, users (format 2)."""
    models: list[ModelInScope] = []
    assessment: Assessment
    answers: dict[str, AnswerEntry] = {}

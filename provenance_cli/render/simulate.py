"""What a simulation found, as data, text, Markdown or JSON.

Each vendor of the run appears once, with its decision and tier before and
after the scenario. For a vendor that would move, the reasons come from the
same comparison ``provcheck diff`` makes (the rules that start or stop
firing, with the answer or list entry behind them and, for an inherited
finding, where it comes from), and from each of its models whose own verdict
would move.
"""

from __future__ import annotations

from typing import Any

from provenance_cli.assessment.simulate import Move, Simulation
from provenance_cli.formats.vocabulary import SEVERITY_RANK
from provenance_cli.render.document import dumps, report_document
from provenance_cli.render.interface import RenderContext

SIMULATION_VERSION = 1


def _verdict(decision: str, tier: str) -> dict[str, str]:
    return {"decision": decision, "tier": tier}


def _rules(move: Move, before: dict[str, Any], after: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rules that start and stop firing on the vendor's deciding model (when it is the same model before and after)."""
    from provenance_cli.render.diff import diff_documents

    if _governing(move.before) != _governing(move.after):
        return [], []
    changes = diff_documents(before, after)
    trace = {(t["rule_id"], t.get("question_id")): t for t in after["trace"]}
    started = []
    for rule in changes["rules_started"]:
        entry = trace.get((rule["rule_id"], rule.get("question_id")), {})
        if entry.get("superseded_by"):
            continue
        started.append(
            {**rule, "answer": entry.get("answer", ""), "knockout": entry.get("knockout"), "inherited_from": entry.get("inherited_from")}
        )
    started.sort(key=lambda r: (-SEVERITY_RANK.get(str(r["severity"]), 0), -float(r["contribution"] or 0), r["rule_id"]))
    return started, list(changes["rules_stopped"])


def _governing(result: Any) -> str | None:
    return result.supply.governing_model if result.supply is not None else None


def _models(move: Move) -> list[dict[str, Any]]:
    """Each model whose own decision or tier would move, with what it newly inherits and why."""
    before = {m.name: m for m in move.before.supply.models} if move.before.supply is not None else {}
    moved = []
    for model in move.after.supply.models if move.after.supply is not None else ():
        old = before.get(model.name)
        if old is None or (old.decision, old.tier) == (model.decision, model.tier):
            continue
        inherited = [list(item) for item in model.inherited if item not in old.inherited]
        told = {i[2] for i in inherited}
        reasons = [reason for reason in model.reasons if reason not in old.reasons and not any(reason.startswith(t) for t in told)]
        moved.append(
            {
                "model": model.name,
                "in_scope": model.in_scope,
                "before": _verdict(old.decision, old.tier),
                "after": _verdict(model.decision, model.tier),
                "inherited": inherited,
                "reasons": reasons,
            }
        )
    return moved


def simulation_document(simulation: Simulation, context: RenderContext) -> dict[str, Any]:
    """The simulation as plain, versioned data (``simulation_version``)."""
    vendors = []
    for move in simulation.moves:
        entry: dict[str, Any] = {
            "vendor": move.after.vendor,
            "file": move.after.source,
            "moved": move.moved,
            "worse": move.worse,
            "before": {**_verdict(move.before.decision.outcome, move.before.tier), "overall": round(move.before.overall, 4)},
            "after": {**_verdict(move.after.decision.outcome, move.after.tier), "overall": round(move.after.overall, 4)},
            "rules_started": [],
            "rules_stopped": [],
            "models": [],
        }
        if move.moved:
            started, stopped = _rules(move, report_document(move.before, context), report_document(move.after, context))
            entry.update(rules_started=started, rules_stopped=stopped, models=_models(move))
        vendors.append(entry)
    return {
        "simulation_version": SIMULATION_VERSION,
        "generated_at": context.generated_at,
        "scenario": {"name": simulation.scenario.name, "changes": simulation.scenario.describe()},
        "vendors": vendors,
        "moved": sum(1 for v in vendors if v["moved"]),
        "worse": sum(1 for v in vendors if v["worse"]),
        "files_written": 0,
    }


def _label(verdict: dict[str, str]) -> str:
    return f"{verdict['decision'].replace('_', ' ').upper()} / {verdict['tier'].upper()}"


def _rule_line(rule: dict[str, Any]) -> str:
    stop = f", knock-out {rule['knockout']}" if rule.get("knockout") else ""
    said = f"{rule['rule_id']} ({rule['severity']}{stop}): {' '.join(str(rule['message']).split())}"
    if rule.get("inherited_from"):
        said += f" ({rule['inherited_from']})"
    elif rule.get("answer"):
        said += f" [{' '.join(str(rule['answer']).split())}]"
    return said


def render_text(document: dict[str, Any]) -> str:
    """The simulation for a terminal or a CI log."""
    lines = [f"Scenario: {document['scenario']['name']}"]
    lines += [f"  - {change}" for change in document["scenario"]["changes"]]
    vendors = document["vendors"]
    lines += ["", f"{document['moved']} of {len(vendors)} vendor(s) would move ({document['worse']} worse):"]
    for vendor in vendors:
        if not vendor["moved"]:
            continue
        worse = " (worse)" if vendor["worse"] else ""
        lines += ["", f"{vendor['vendor']} ({vendor['file']}): {_label(vendor['before'])} -> {_label(vendor['after'])}{worse}"]
        if vendor["rules_started"] or vendor["rules_stopped"]:
            lines.append("  because:")
            lines += [f"    + {_rule_line(r)}" for r in vendor["rules_started"]]
            lines += [f"    - {_rule_line(r)}" for r in vendor["rules_stopped"]]
        for model in vendor["models"]:
            scope = "" if model["in_scope"] else " (not in scope)"
            lines.append(f"  model {model['model']}{scope}: {_label(model['before'])} -> {_label(model['after'])}")
            lines += [f"    + {rule} ({severity}): {message} ({source})" for rule, severity, message, source in model["inherited"]]
            lines += [f"    + {reason}" for reason in model["reasons"]]
    still = [v["vendor"] for v in vendors if not v["moved"]]
    if still:
        lines += ["", f"Unchanged: {', '.join(still)}."]
    lines += ["", "Nothing was written: the simulation ran in memory."]
    return "\n".join(lines) + "\n"


def render_markdown(document: dict[str, Any]) -> str:
    """The simulation as Markdown for a review; every value from a dossier is escaped."""
    from provenance_cli.render.templating import md_text as m

    out = [f"# Simulation: {m(document['scenario']['name'])}", ""]
    out += [f"- {m(change)}" for change in document["scenario"]["changes"]]
    out += ["", f"**{document['moved']} of {len(document['vendors'])} vendor(s) would move ({document['worse']} worse).**", ""]
    out += ["| Vendor | Before | After | Worse |", "| --- | --- | --- | --- |"]
    for vendor in document["vendors"]:
        out.append(
            f"| {m(vendor['vendor'])} | {_label(vendor['before'])} | {_label(vendor['after'])} | {'yes' if vendor['worse'] else 'no'} |"
        )
    for vendor in document["vendors"]:
        if not vendor["moved"]:
            continue
        out += ["", f"## {m(vendor['vendor'])}: {_label(vendor['before'])} → {_label(vendor['after'])}", ""]
        out += [f"- Starts: {m(_rule_line(r))}" for r in vendor["rules_started"]]
        out += [f"- Stops: {m(_rule_line(r))}" for r in vendor["rules_stopped"]]
        for model in vendor["models"]:
            out.append(f"- Model {m(model['model'])}: {_label(model['before'])} → {_label(model['after'])}")
            out += [f"  - {m(rule)}: {m(message)} ({m(source)})" for rule, _, message, source in model["inherited"]]
            out += [f"  - {m(reason)}" for reason in model["reasons"]]
    out += ["", "Nothing was written: the simulation ran in memory. Generated by provcheck."]
    return "\n".join(out) + "\n"


def render_json(document: dict[str, Any]) -> str:
    """The simulation as canonical JSON."""
    return dumps(document)

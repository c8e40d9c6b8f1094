"""What changed between two assessments of one vendor.

Reads two report documents (from dossiers or archived JSON reports) and
says which answers changed, which rules started or stopped firing, and how
each score and the tier moved. Risk went *up* when the overall score rose
or the tier rose; ``provcheck diff --fail-on-worse`` gates on that.
"""

from __future__ import annotations

from typing import Any

from provenance_cli.render.document import dumps, num, tier_rank

DIFF_VERSION = 2
"""Version 2 adds answer labels (old_label, new_label) and question texts to rule changes; the ids stay."""
_EPSILON = 1e-9


def _rule_key(entry: dict[str, Any]) -> tuple[str, str]:
    return (str(entry["rule_id"]), str(entry.get("question_id") or ""))


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from the ``old`` to the ``new`` report document, as plain data (versioned by ``diff_version``).

    ``worse`` is what ``--fail-on-worse`` gates on: the overall score rose by more than float noise, or the tier rose.
    """
    from provenance_cli.render.summary import answer_labels

    old_answers = {a["question_id"]: a for a in old["answers"]}
    new_answers = {a["question_id"]: a for a in new["answers"]}
    old_labels, new_labels = answer_labels(old), answer_labels(new)
    texts = {qid: " ".join(str(a.get("text", "")).split()) for qid, a in {**old_answers, **new_answers}.items()}
    order = list(new_answers) + [q for q in old_answers if q not in new_answers]
    answers = []
    for qid in order:
        before, after = old_answers.get(qid), new_answers.get(qid)
        old_value = None if before is None else before["answer"]
        new_value = None if after is None else after["answer"]
        if old_value != new_value:
            answers.append({
                "question_id": qid,
                "old": old_value,
                "new": new_value,
                "old_label": None if before is None else old_labels.get(qid, old_value),
                "new_label": None if after is None else new_labels.get(qid, new_value),
                "text": texts.get(qid, ""),
            })  # fmt: skip

    old_rules = {_rule_key(t): t for t in old["trace"]}
    new_rules = {_rule_key(t): t for t in new["trace"]}

    def rule(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "rule_id": entry["rule_id"],
            "question_id": entry.get("question_id"),
            "question": texts.get(entry.get("question_id") or "", "") or None,
            "category": entry.get("category"),
            "severity": entry.get("severity"),
            "contribution": entry.get("contribution", 0),
            "message": entry.get("message", ""),
        }

    started = [rule(t) for k, t in new_rules.items() if k not in old_rules]
    stopped = [rule(t) for k, t in old_rules.items() if k not in new_rules]
    changed = [
        {**rule(t), "old_contribution": old_rules[k].get("contribution", 0)}
        for k, t in new_rules.items()
        if k in old_rules and abs(float(old_rules[k].get("contribution", 0)) - float(t.get("contribution", 0))) > _EPSILON
    ]

    old_scores = {c["id"]: c for c in old["categories"]}
    new_scores = {c["id"]: c for c in new["categories"]}
    categories = []
    for cid in list(new_scores) + [c for c in old_scores if c not in new_scores]:
        before = old_scores.get(cid, {}).get("score")
        after = new_scores.get(cid, {}).get("score")
        delta = None if before is None or after is None else num(float(after) - float(before))
        categories.append({
            "id": cid,
            "title": (new_scores.get(cid) or old_scores[cid])["title"],
            "old": before,
            "new": after,
            "delta": delta,
        })  # fmt: skip

    old_overall, new_overall = float(old["summary"]["overall"]), float(new["summary"]["overall"])
    old_rank, new_rank = tier_rank(old), tier_rank(new)
    overall_delta = num(new_overall - old_overall)
    worse = new_overall - old_overall > _EPSILON or new_rank > old_rank
    return {
        "diff_version": DIFF_VERSION,
        "old": _side(old),
        "new": _side(new),
        "same_vendor": old["vendor"]["name"].casefold() == new["vendor"]["name"].casefold(),
        "overall": {"old": num(old_overall), "new": num(new_overall), "delta": overall_delta},
        "tier": {
            "old": old["summary"]["tier"],
            "new": new["summary"]["tier"],
            "moved": "up" if new_rank > old_rank else "down" if new_rank < old_rank else "same",
        },
        "categories": categories,
        "answers_changed": answers,
        "rules_started": started,
        "rules_stopped": stopped,
        "rules_changed": changed,
        "worse": worse,
    }


def _side(document: dict[str, Any]) -> dict[str, Any]:
    inputs = document.get("provenance", {}).get("inputs", [])
    source = next((i["path"] for i in inputs if i.get("role") == "dossier"), None)
    return {
        "vendor": document["vendor"]["name"],
        "source": source,
        "assessed_on": document.get("assessment", {}).get("assessed_on"),
    }


def _signed(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{float(value):+.1f}"


def _score(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.1f}"


def render_text(diff: dict[str, Any]) -> str:
    """The diff as plain text, for a terminal or a CI log."""
    lines = [
        f"{diff['old']['vendor']} ({diff['old']['source'] or 'report'}, assessed {diff['old']['assessed_on']})"
        f" -> {diff['new']['vendor']} ({diff['new']['source'] or 'report'}, assessed {diff['new']['assessed_on']})",
    ]
    if not diff["same_vendor"]:
        lines.append("note: the two inputs name different vendors")
    tier = diff["tier"]
    overall = diff["overall"]
    lines.append(f"tier: {tier['old']} -> {tier['new']} ({tier['moved']})")
    lines.append(f"overall: {_score(overall['old'])} -> {_score(overall['new'])} ({_signed(overall['delta'])})")
    lines.append("risk went UP" if diff["worse"] else "risk did not go up")
    lines.append("")
    lines.append("category scores:")
    for c in diff["categories"]:
        lines.append(f"  {c.get('title') or c['id']}: {_score(c['old'])} -> {_score(c['new'])} ({_signed(c['delta'])})")
    lines.append("")
    lines.append(f"answers changed ({len(diff['answers_changed'])}):")
    for a in diff["answers_changed"]:
        lines.append(f"  {_question(a)}")
        lines.append(f"      {_one_line(_label(a, 'old'))} -> {_one_line(_label(a, 'new'))}")
    for title, key in (("rules started firing", "rules_started"), ("rules stopped firing", "rules_stopped")):
        lines.append("")
        lines.append(f"{title} ({len(diff[key])}):")
        for r in diff[key]:
            lines.append(f"  {r['rule_id']} ({r['severity']}, {_score(r['contribution'])}): {_one_line(r['message'])}")
    if diff["rules_changed"]:
        lines.append("")
        lines.append(f"rules with a changed contribution ({len(diff['rules_changed'])}):")
        for r in diff["rules_changed"]:
            lines.append(f"  {r['rule_id']} ({_one_line(r['message'])}): {_score(r['old_contribution'])} -> {_score(r['contribution'])}")
    return "\n".join(lines) + "\n"


def _question(change: dict[str, Any]) -> str:
    """A changed answer's question, in words (its id when an old diff has no text)."""
    return _one_line(change.get("text") or change["question_id"])


def _label(change: dict[str, Any], side: str) -> Any:
    """One side of a changed answer in the questionnaire's words (the stored value when there is no label)."""
    label = change.get(f"{side}_label")
    return change[side] if label is None else label


def _one_line(value: Any) -> str:
    if value is None:
        return "(not applicable)"
    return " ".join(str(value).split())


def render_markdown(diff: dict[str, Any]) -> str:
    """The diff as Markdown for a review or ticket; every value vendors or users wrote is escaped."""
    from provenance_cli.render.templating import md_text as m

    old, new, tier, overall = diff["old"], diff["new"], diff["tier"], diff["overall"]
    out = [
        f"# Changes: {m(old['vendor'])} ({m(old['assessed_on'])}) → {m(new['vendor'])} ({m(new['assessed_on'])})",
        "",
        f"- Tier: **{m(tier['old']).upper()} → {m(tier['new']).upper()}** ({tier['moved']})",
        f"- Overall: {_score(overall['old'])} → {_score(overall['new'])} ({_signed(overall['delta'])})",
        f"- **{'Risk went up.' if diff['worse'] else 'Risk did not go up.'}**",
    ]
    if not diff["same_vendor"]:
        out.append("- Note: the two inputs name different vendors.")
    out += ["", "## Category scores", "", "| Category | Old | New | Change |", "| --- | ---: | ---: | ---: |"]
    for c in diff["categories"]:
        out.append(f"| {m(c['title'])} | {_score(c['old'])} | {_score(c['new'])} | {_signed(c['delta'])} |")
    out += ["", f"## Answers changed ({len(diff['answers_changed'])})", ""]
    if diff["answers_changed"]:
        out += ["| Question | Old answer | New answer |", "| --- | --- | --- |"]
        for a in diff["answers_changed"]:
            out.append(f"| {m(_question(a))} | {m(_one_line(_label(a, 'old')))} | {m(_one_line(_label(a, 'new')))} |")
    else:
        out.append("No answer changed.")
    for title, key in (("Rules started firing", "rules_started"), ("Rules stopped firing", "rules_stopped")):
        out += ["", f"## {title} ({len(diff[key])})", ""]
        if diff[key]:
            out += ["| Rule | Question | Severity | Points | Finding |", "| --- | --- | --- | ---: | --- |"]
            for r in diff[key]:
                cells = [m(r["rule_id"]), m(r.get("question") or ""), m(r["severity"]), _score(r["contribution"]), m(r["message"])]
                out.append("| " + " | ".join(cells) + " |")
        else:
            out.append("None.")
    return "\n".join(out) + "\n"


def render_json(diff: dict[str, Any]) -> str:
    """The diff as canonical JSON, like the JSON report."""
    return dumps(diff)

"""The texts of the signal by its parts (``dashboard.signal_parts``): ``key -> {"nl", "en"}``."""

from __future__ import annotations

from dashboard.messages_common import message as _m

SIGNAL_PARTS_MESSAGES: dict[str, dict[str, str]] = {
    "parts.why": _m("Waarom staat dit hier?", "Why is this here?"),
    "parts.flagged_by": _m("Gesignaleerd door: {parts} (regel {rule}).", "Flagged by: {parts} (rule {rule})."),
    "parts.flagged_unknown": _m("Gesignaleerd; welke onderdelen de doorslag gaven, is niet opgeslagen (regel {rule}).",
                                "Flagged; which parts raised the flag was not stored (rule {rule})."),
    "parts.not_flagged": _m("Niet gesignaleerd: geen onderdeel gaf de doorslag (regel {rule}).",
                            "Not flagged: no part raised the flag (rule {rule})."),
    "parts.rule_unknown": _m("onbekend", "unknown"),
    "parts.none": _m("Dit signaal is gescoord voordat Waakhond de onderdelen bewaarde; alleen de totaalscore is bekend.",
                     "This signal was scored before Waakhond stored its parts; only the overall score is known."),
    "parts.missing": _m("Niet gemeten voor dit signaal: {parts}.", "Not measured for this signal: {parts}."),
    "parts.score_threshold": _m("{score} (drempel {threshold})", "{score} (threshold {threshold})"),
    "parts.no_number": _m("geen getal", "no number"),
    "parts.above": _m("boven de drempel", "above the threshold"),
    "parts.below": _m("onder de drempel", "below the threshold"),
    "parts.raised": _m("gaf de doorslag", "raised the flag"),
    "part.checkworthy": _m("Controleerbare bewering", "Checkable claim"),
    "part.claim_match": _m("Bekende factcheck", "Known debunk"),
    "part.narrative": _m("Bekend onjuist verhaal", "Known false narrative"),
    "part.head": _m("Desinformatiemodel", "Disinformation model"),
    "part.topic": _m("Beleidsonderwerp", "Policy topic"),
    "parts.explain.checkworthy": _m("Hoe waarschijnlijk de zin een controleerbare feitelijke bewering is, geen mening.",
                                    "How likely the sentence is a checkable factual claim rather than an opinion."),
    "parts.explain.claim_match": _m("Hoe waarschijnlijk de zin dezelfde bewering doet als een factcheck.",
                                    "How likely the sentence makes the same claim as a fact-check."),
    "parts.explain.narrative": _m("Hoe sterk het bericht lijkt op een bekend onjuist verhaal.",
                                  "How closely the item resembles a known false narrative."),
    "parts.explain.head": _m("Hoe sterk het model het bericht als desinformatie inschat.",
                             "How strongly the model scores the item as disinformation."),
    "parts.explain.topic": _m("Over welk beleid het gaat: context, geen reden om te signaleren.",
                              "Which policy it is about: context, not a reason to flag."),
    "parts.detail.checkworthy": _m("Zin: “{sentence}”", "Sentence: “{sentence}”"),
    "parts.detail.claim_match": _m("Factcheck: “{claim}”", "Fact-check: “{claim}”"),
    "parts.detail.narrative": _m("Verhaal: “{name}”", "Narrative: “{name}”"),
    "parts.detail.head": _m("Versie {version}.", "Version {version}."),
    "parts.detail.head_components": _m("Onderdelen van het model: {parts}.", "The model's parts: {parts}."),
    "parts.component.embedding": _m("taalmodel (e5)", "language model (e5)"),
    "parts.component.lexical": _m("woordmodel (TF-IDF)", "word model (TF-IDF)"),
    "parts.held_back_debunk": _m(
        "Niet gesignaleerd: het model sloeg aan, maar het bericht weerlegt een bewering die factcheckers "
        "onwaar noemden (regel {rule}).",
        "Not flagged: the model scored it high, but the item refutes a claim that fact-checkers rated "
        "false (rule {rule})."),
    "parts.held_back": _m("Niet gesignaleerd: tegengehouden door {gates} (regel {rule}).",
                          "Not flagged: held back by {gates} (rule {rule})."),
    "parts.gate.topic": _m("geen beleidsonderwerp", "no policy topic"),
    "parts.gate.checkworthy": _m("geen controleerbare bewering", "no checkable claim"),
}

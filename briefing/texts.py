"""Every string of the briefing, in Dutch (first) and English."""

from __future__ import annotations

LANGUAGES = ("nl", "en")

_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Weekbriefing desinformatie over beleid", "Weekly briefing: disinformation about policy"),
    "week": ("Week {week}", "Week {week}"),
    "period": ("{first} tot en met {last}", "{first} to {last}"),
    "in_progress": ("De week is nog niet voorbij: cijfers tot {now}.", "The week is not over yet: figures up to {now}."),
    "generated": ("Gemaakt op {now} door Waakhond.", "Made on {now} by Waakhond."),
    "disclaimer": (
        "Dit zijn signalen, geen oordelen: Waakhond zegt niet wat waar is. Kritiek op beleid is geen "
        "desinformatie. Beoordeel de berichten zelf voordat u reageert.",
        "These are signals, not verdicts: Waakhond does not say what is true. Criticism of policy is not "
        "disinformation. Judge the messages yourself before you respond.",
    ),
    "summary": ("Samenvatting", "Summary"),
    "col_topic": ("Onderwerp", "Topic"),
    "col_week": ("Deze week", "This week"),
    "col_before": ("Gemiddeld per week ervoor", "Weekly average before"),
    "col_grew": ("Verhalen gegroeid", "Narratives grown"),
    "col_labels": ("Beoordeeld", "Reviewed"),
    "topic_all": ("alle onderwerpen", "all topics"),
    "ministry": ("Ministerie: {ministry}", "Ministry: {ministry}"),
    "volume": ("Gemarkeerde berichten per week", "Flagged messages per week"),
    "volume_text": (
        "{count} gemarkeerde berichten deze week; gemiddeld {baseline} per week in de {weeks} weken ervoor.",
        "{count} flagged messages this week; on average {baseline} a week in the {weeks} weeks before.",
    ),
    "volume_no_history": ("{count} gemarkeerde berichten deze week; er zijn nog geen eerdere weken.",
                          "{count} flagged messages this week; there are no earlier weeks yet."),
    "chart_label": ("Staafdiagram: gemarkeerde berichten per week over {topic}",
                    "Bar chart: flagged messages per week about {topic}"),
    "chart_no_data": ("geen gegevens", "no data"),
    "chart_average": ("gemiddelde ervoor", "average before"),
    "narratives": ("Verhalen die groeiden", "Narratives that grew"),
    "no_narratives": ("Geen verhaal over dit onderwerp groeide deze week.", "No narrative about this topic grew this week."),
    "narrative_growth": (
        "{week} berichten deze week (de week ervoor {previous}); in totaal {items} berichten uit {sources} bronnen.",
        "{week} messages this week (the week before {previous}); {items} messages from {sources} sources in all.",
    ),
    "claim": ("Bewering", "Claim"),
    "claims": ("Voorbeelden met de zin die het signaal gaf", "Examples with the sentence behind the signal"),
    "no_evidence": ("(geen zin als bewijs opgeslagen)", "(no evidence sentence stored)"),
    "why": ("Waarom gesignaleerd: {reasons}.", "Why flagged: {reasons}."),
    "debunks": ("Factchecks", "Fact-checks"),
    "no_debunks": ("Geen factcheck gevonden bij dit verhaal.", "No fact-check found for this narrative."),
    "guidance": ("Achtergrond en hoe u desinformatie herkent", "Background and how to recognise disinformation"),
    "labels": ("Wat analisten beoordeelden", "What analysts reviewed"),
    "labels_counts": (
        "{confirmed} bevestigd als desinformatie of misleidend, {rejected} afgewezen (geen desinformatie), {unsure} twijfel.",
        "{confirmed} confirmed as disinformation or misleading, {rejected} rejected (not disinformation), {unsure} unsure.",
    ),
    "no_labels": ("Deze week geen beoordelingen door analisten.", "No reviews by analysts this week."),
    "wrong_part": ("onderdeel dat volgens de analist fout zat: {part}", "part the analyst said was wrong: {part}"),
    "quiet": ("Rustig deze week (geen gemarkeerde berichten): {topics}.",
              "Quiet this week (no flagged messages): {topics}."),
    "nothing": ("Deze week zijn er geen gemarkeerde berichten.", "There were no flagged messages this week."),
    "score": ("score {score}", "score {score}"),
    "confirmed_short": ("{confirmed} bevestigd, {rejected} afgewezen", "{confirmed} confirmed, {rejected} rejected"),
    # the signal's parts, for the one-line "why flagged"
    "part.checkworthy": ("controleerbare bewering", "checkable claim"),
    "part.claim_match": ("lijkt op een bewering met factcheck", "resembles a fact-checked claim"),
    "part.narrative": ("lijkt op verhaal “{name}”", "resembles narrative “{name}”"),
    "part.narrative_unnamed": ("lijkt op een bekend verhaal", "resembles a known narrative"),
    "part.head": ("het model", "the model"),
    "part.topic": ("onderwerp", "topic"),
    "part_name.head": ("model", "model"),
    "part_name.checkworthy": ("controleerbare bewering", "checkable claim"),
    "part_name.narrative": ("verhaal", "narrative"),
    "part_name.claim_match": ("factcheck-overeenkomst", "fact-check match"),
    "part_name.topic": ("onderwerp", "topic"),
    "rating.false": ("onwaar", "false"),
    "rating.mostly_false": ("grotendeels onwaar", "mostly false"),
    "rating.mixed": ("deels waar", "mixed"),
    "rating.mostly_true": ("grotendeels waar", "mostly true"),
    "rating.true": ("waar", "true"),
    "rating.unproven": ("onbewezen", "unproven"),
    "rating.unknown": ("onbekend", "unknown"),
    "label.disinformation": ("desinformatie", "disinformation"),
    "label.misleading": ("misleidend", "misleading"),
    "label.not_disinformation": ("geen desinformatie", "not disinformation"),
    "label.unsure": ("twijfel", "unsure"),
}

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def text(key: str, language: str, **values: object) -> str:
    nl, en = _TEXTS[key]
    template = en if language == "en" else nl
    return template.format(**values) if values else template


def number(value: float, language: str, digits: int = 1) -> str:
    shown = f"{value:.{digits}f}"
    return shown.replace(".", ",") if language == "nl" else shown


def long_date(day, language: str) -> str:
    month = MONTHS["en" if language == "en" else "nl"][day.month - 1]
    return f"{month} {day.day}, {day.year}" if language == "en" else f"{day.day} {month} {day.year}"

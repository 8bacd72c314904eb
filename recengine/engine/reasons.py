"""Plain-word reasons for a served item (clause 4.3 transparency, DSA Art. 27)."""

from __future__ import annotations

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

CHANNELS = {
    "cf": _("Viewers with tastes like yours engaged with this"),
    "vector": _("Similar to what you showed interest in, by %(block)s"),
    "popular": _("Popular right now"),
    "fresh": _("New on the platform"),
    "exploration": _("Something new for you to explore"),
    "non_personalised": _("Good quality and popular at this hour"),
}
BLOCKS = {
    "text": _("its title and what is said"),
    "image": _("its pictures"),
    "audio": _("how the broadcast sounds"),
    "metadata": _("its category and price"),
    "persona": _("the anchor's style"),
}
OBJECTIVES = {
    "ctr": _("you are likely to open it"),
    "cvr": _("you are likely to buy"),
    "quality": _("content quality"),
    "satisfaction": _("viewers were satisfied"),
    "merchant_health": _("a reliable merchant"),
}


# Reasons already worded, per language: a page of twenty items asks for a handful of
# distinct ones, and each wording costs several catalogue lookups.
_WORDED: dict[tuple, str] = {}
_WORDED_LIMIT = 4096


def explain(channel: str, block: str | None, objective: str | None) -> str:
    key = (get_language(), channel, block, objective)
    text = _WORDED.get(key)
    if text is None:
        if len(_WORDED) >= _WORDED_LIMIT:
            _WORDED.clear()
        text = _WORDED[key] = _word(channel, block, objective)
    return text


def _word(channel: str, block: str | None, objective: str | None) -> str:
    text = str(CHANNELS.get(channel, CHANNELS["popular"]))
    if channel == "vector":
        text = text % {"block": BLOCKS.get(block or "metadata", BLOCKS["metadata"])}
    if objective is None:
        return text
    return gettext("%(channel)s; ranked for: %(objective)s") % {
        "channel": text,
        "objective": OBJECTIVES[objective],
    }

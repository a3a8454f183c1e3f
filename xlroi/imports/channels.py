"""Which of the workbook's channels a platform's channel goes to.

The workbook's channels are the names on its Start sheet (the ``Channels`` range; users rename
them). A platform channel goes to the channel of the same name (``X`` also matches ``Twitter``),
else where ``--channel SOURCE=CHANNEL`` says, else to a documented fallback when the workbook has
that channel: Messenger ads run in Facebook's apps, Threads ads only alongside Instagram
placements; Audience Network, WhatsApp and TikTok go to Other. Anything else is an error naming
the channels there are; nothing is guessed.
"""
from __future__ import annotations

from ..errors import BadValue, ExportConflict
from .base import norm

ALIASES = {
    "x": ("x", "twitter", "x (twitter)", "twitter (x)", "x / twitter", "twitter / x", "x ads"),
    "youtube": ("youtube", "you tube"),
    "linkedin": ("linkedin", "linked in"),
    "facebook": ("facebook", "fb"),
    "instagram": ("instagram", "ig"),
    "tiktok": ("tiktok", "tik tok"),
}
FALLBACKS = {"messenger": "Facebook", "threads": "Instagram", "audience network": "Other", "whatsapp": "Other",
             "tiktok": "Other"}


def parse_channel_options(options: tuple[str, ...] | list[str], channels: list[str]) -> tuple[str | None, dict[str, str]]:
    """``--channel Facebook`` (the channel of a Meta export without a Platform column) and
    ``--channel TikTok=Other`` (a mapping) -> (plain channel, mapping by normalised source)."""
    plain, mapping = None, {}
    for option in options:
        source, sep, target = option.partition("=")
        if not sep:
            if plain is not None:
                raise BadValue(f"--channel {option!r}: give one channel for exports that do not say theirs "
                               f"(already {plain!r}); map others with SOURCE=CHANNEL")
            plain = workbook_channel(option, channels, "--channel")
        else:
            if not source.strip():
                raise BadValue(f"--channel {option!r}: write SOURCE=CHANNEL, e.g. --channel TikTok=Other")
            mapping[norm(source)] = workbook_channel(target, channels, "--channel")
    return plain, mapping


def workbook_channel(name: str, channels: list[str], where: str) -> str:
    """``name`` spelled as the workbook spells it; an error when it is none of its channels."""
    for channel in channels:
        if norm(channel) == norm(name):
            return channel
    raise BadValue(f"{where} {name!r}: not one of the workbook's channels ({', '.join(channels)})")


def resolve(source: str, channels: list[str], mapping: dict[str, str], path: str) -> tuple[str, str | None]:
    """(workbook channel, how it was chosen when not by name) for a platform channel."""
    key = norm(source)
    if key in mapping:
        return mapping[key], f"--channel {source}={mapping[key]}"
    names = ALIASES.get(key, (key,))
    for alias_key, alias_names in ALIASES.items():
        if key in alias_names:
            names = alias_names
    for channel in channels:
        if norm(channel) in names:
            return channel, None
    fallback = FALLBACKS.get(key)
    if fallback is not None:
        for channel in channels:
            if norm(channel) == norm(fallback):
                return channel, f"{source} -> {channel} (no {source} channel in the workbook)"
    raise ExportConflict(f"{path}: {source} is not one of the workbook's channels ({', '.join(channels)}): rename a "
                         f"channel on the Start sheet or say where it goes, e.g. --channel \"{source}={channels[-1]}\"")

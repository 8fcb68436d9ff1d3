"""The dashboard's two languages: Swedish by default, English at the reader's choice.

A text is written where it is used, in both languages (``language.say("Län", "County")``), so that the two never
drift apart in separate catalogues. Numbers keep the Swedish format in both (``1 234,5``; ISO 80000 allows the
decimal comma), so that a figure reads the same on screen and in the downloaded file.
"""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    SV = "sv"
    EN = "en"

    @property
    def label(self) -> str:
        return {Language.SV: "Svenska", Language.EN: "English"}[self]

    def say(self, sv: str, en: str) -> str:
        return en if self is Language.EN else sv

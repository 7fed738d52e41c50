"""Words that point to a place without being its name: "украинский конфликт" (Ukraine), "türk
əsgərləri" (Türkiye), and the names of the world's countries in English, Russian and Azerbaijani.

Russian writes a place as a lowercase adjective far more often than as a name ("армянские силы",
"азербайджанская делегация"), and Azerbaijani as a nationality word ("erməni", "türk"). Morphology
(`bot.understand.morph`) adds the place's name to a word's candidate base forms, so an index that
knows "Украина" finds it; retrieval asks `is_country` to tell a country the index has never heard
of ("турецкие войска") from an ordinary word. The country names are CLDR's, through Babel (already
the project's i18n library), not a list of ours.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

# Russian relational adjectives end so (masculine nominative, as pymorphy3 gives the normal form).
_RU_ADJECTIVE = ("ский", "цкий")
# Azerbaijani country names are often the nationality word and one of these endings: türk →
# Türkiyə, gürcü → Gürcüstan, erməni → Ermənistan, alman → Almaniya, rus → Rusiya.
_AZ_COUNTRY_ENDINGS = ("iyə", "iya", "stan", "istan", "ıstan")
_AZ_OF_PLACE = ("lı", "li", "lu", "lü")  # ukraynalı → Ukrayna, bakılı → Bakı


@cache
def _table() -> dict[str, dict[str, str]]:
    text = resources.files("bot.understand").joinpath("place_words.yaml").read_text("utf-8")
    return {lang: {str(k): str(v) for k, v in (words or {}).items()} for lang, words in yaml.safe_load(text).items()}


LANGS = ("en", "ru", "az")


def from_cldr(lang: str) -> list[str]:
    """The one-word names of the world's countries in a language, lowercase, as Babel's CLDR data
    gives them (about 25 ms a language: `countries.json` keeps them for start-up)."""
    from babel import Locale

    names = Locale.parse(lang).territories
    return sorted({n.replace("İ", "i").lower() for code, n in names.items()
                   if len(code) == 2 and code.isalpha() and " " not in n and "-" not in n})


@cache
def _stored() -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(resources.files("bot.understand").joinpath("countries.json")
                                            .read_text("utf-8"))
    return data


@cache
def countries(lang: str) -> frozenset[str]:
    """The one-word names of the world's countries in a language, lowercase (CLDR via Babel, kept in
    countries.json: `python -m bot.understand.places` rewrites it; a test checks it is current)."""
    return frozenset(_stored()[lang])


if __name__ == "__main__":
    out = Path(__file__).with_name("countries.json")
    out.write_text(json.dumps({lang: from_cldr(lang) for lang in LANGS}, ensure_ascii=False, indent=0) + "\n",
                   encoding="utf-8")
    print(f"wrote {out}")


@cache
def country_words() -> frozenset[str]:
    """Every word of a country's name in the three languages, folded as the index folds words."""
    from bot.normalize import skeleton, words

    return frozenset(skeleton(w) for lang in ("en", "ru", "az") for n in countries(lang) for w in words(n))


def russian_place(lemma: str) -> list[str]:
    """The place names a Russian adjective may come from: украинский → украина, российский →
    россия, азербайджанский → азербайджан, армянский → армения (from the table). The rule's
    guesses are candidates to look up exactly, not claims that such a place exists."""
    if irregular := _table().get("ru", {}).get(lemma):
        return [irregular]
    for ending in _RU_ADJECTIVE:
        stem = lemma[: -len(ending)]
        if lemma.endswith(ending) and len(stem) >= 3:
            out = [stem, stem + "а", stem + "ия"]
            if stem.endswith("й"):
                out.append(stem[:-1] + "я")  # российский → россия
            if stem.endswith("ь") or stem.endswith("н"):
                out.append(stem[:-1])  # ханкендинский → ханкенди
            return out
    return []


def english_place(word: str) -> list[str]:
    """The place an English nationality adjective may come from (lowercase word): american →
    america, armenian → armenia, iranian → iran, turkish → turkey (from the table). Candidates to
    look up exactly among the corpus's names."""
    if irregular := _table().get("en", {}).get(word):
        return [irregular]
    if word.endswith("ian") and len(word) >= 7:  # armenian → armenia, iranian → iran; not humanitarian
        known = {c.lower() for c in countries("en")}
        return [c for c in (word[:-1], word[:-3]) if c in known]
    return []


def azerbaijani_place(word: str, *, of_place: bool = True) -> list[str]:
    """The places an Azerbaijani nationality word or "of a place" word points to (lowercase word):
    türk → türkiyə, ukraynalı → ukrayna, fransız → fransa (from the table). `of_place=False` keeps
    only exact country names (for ASCII-typed words, where "-li" is as often an English ending)."""
    out = []
    if irregular := _table().get("az", {}).get(word):
        out.append(irregular)
    known = countries("az")
    out += [word + e for e in _AZ_COUNTRY_ENDINGS if word + e in known]
    if of_place and word.endswith(_AZ_OF_PLACE) and len(word) >= 6:
        out.append(word[:-2])
    return out

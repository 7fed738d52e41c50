"""Text folding shared by the checker, the index and the queries.

Queries and index strings go through the same folding, so a user may type any
spelling (Əliyev, Алиев, Aliev) and land on the same key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2033": '"',
    }
)
_SPACE = re.compile(r"\s+")


def fold_quote(text: str) -> str:
    """Whitespace (non-breaking too) and typographic quotes folded; nothing else forgiven."""
    return _SPACE.sub(" ", text.translate(_TYPOGRAPHIC)).strip()


# Azerbaijani letters whose English spelling differs from anyascii's reading
# (ə is written "a" in Aliyev, Gafarova, Majlis; x is "kh"; c is "j"; q is "g").
_AZ_LETTERS = str.maketrans({"ə": "a", "Ə": "A", "ı": "i", "İ": "I"})
# Spelling variants folded to one skeleton, applied to ASCII text after transliteration.
_SKELETON = [
    (re.compile(r"kh"), "x"),
    (re.compile(r"q"), "g"),
    (re.compile(r"dzh|dj|c(?=[eiy])|j"), "j"),
    (re.compile(r"sch|sh"), "s"),
    (re.compile(r"ch"), "c"),
    (re.compile(r"(?<=[aeiou])y(?=[aeiou])|(?<=i)y(?=e)"), ""),
    (re.compile(r"ie"), "e"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"(.)\1"), r"\1"),
]
_NON_WORD = re.compile(r"[^a-z0-9]+")


def to_ascii(text: str) -> str:
    """Transliterate any script to lowercase ASCII words (Cyrillic, Azerbaijani, accents)."""
    text = unicodedata.normalize("NFC", text).translate(_AZ_LETTERS)
    return anyascii(text).casefold()


@lru_cache(maxsize=50_000)
def _words(text: str) -> tuple[str, ...]:
    text = to_ascii(text).replace(".", "").replace("'", "")
    return tuple(w for w in _NON_WORD.split(text) if w)


def words(text: str) -> list[str]:
    """Lowercase ASCII words, punctuation dropped ("U.S." stays one word: "us"); cached, as index
    strings repeat (every event lists its actors' names)."""
    return list(_words(text))


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Fold spelling variants of one word: Khankendi/Xankendi, Qafarova/Gafarova, Aliyev/Aliev.

    The rules of _SKELETON in order; a rule is skipped when the letters it needs are not in the word,
    and a literal one is a plain replace (the same result, several times quicker: an index of a
    million entries folds ~8M words)."""
    if "kh" in word:
        word = word.replace("kh", "x")
    if "q" in word:
        word = word.replace("q", "g")
    if "j" in word or "c" in word or "dzh" in word:
        word = _SKELETON[2][0].sub("j", word)
    if "sh" in word or "sch" in word:
        word = _SKELETON[3][0].sub("s", word)
    if "ch" in word:
        word = word.replace("ch", "c")
    if "y" in word:
        word = _SKELETON[5][0].sub("", word)
    if "ie" in word:
        word = word.replace("ie", "e")
    if "ph" in word:
        word = word.replace("ph", "f")
    if "w" in word:
        word = word.replace("w", "v")
    return _SKELETON[9][0].sub(r"\1", word)


def key(text: str) -> str:
    """The comparison key of a phrase: transliterated, skeleton-folded words joined by spaces."""
    return " ".join(skeleton(w) for w in words(text))


_APART = "\x00"  # between texts folded together (no text of the corpus has it; one that does is folded alone)
_NON_WORD_OR_APART = re.compile(r"[^a-z0-9\x00]+")


def skeleton_many(unique: list[str]) -> list[str]:
    """`skeleton` of each of many distinct words, the rules run once over all of them joined by spaces
    (no rule matches a space or across one, and no word folds to nothing, so each word's result is
    its own): an index of a million entries folds ~1.5M distinct words."""
    if not unique:
        return []
    text = " ".join(unique)
    for pattern, repl in _SKELETON:
        literal = pattern.pattern
        text = text.replace(literal, repl) if literal.isalpha() else pattern.sub(repl, text)
    out = text.split(" ")
    return out if len(out) == len(unique) else [skeleton(w) for w in unique]


def fold_many(texts: list[str]) -> list[list[str]]:
    """`[skeleton(w) for w in words(t)]` for each of many texts, transliterated in one pass over all of
    them: str.replace / a regex over one long string instead of a few Python calls per text."""
    if not texts:
        return []
    joined = _APART.join(texts)
    if _APART in joined.replace(_APART, "", len(texts) - 1):  # a text with the separator of its own
        return [[skeleton(w) for w in words(t)] for t in texts]
    joined = unicodedata.normalize("NFC", joined)
    for letter, plain in (("ə", "a"), ("Ə", "A"), ("ı", "i"), ("İ", "I")):  # _AZ_LETTERS, letter by letter
        joined = joined.replace(letter, plain)
    if not joined.isascii():  # anyascii reads one character at a time: replace each distinct one once
        for char in set(re.findall(r"[^\x00-\x7f]", joined)):
            joined = joined.replace(char, anyascii(char))
    joined = joined.casefold().replace(".", "").replace("'", "")
    parts = _NON_WORD_OR_APART.sub(" ", joined).split(_APART)
    if len(parts) != len(texts):
        return [[skeleton(w) for w in words(t)] for t in texts]
    per_text = [p.split() for p in parts]
    unique = list({w: None for ws in per_text for w in ws})
    folded = dict(zip(unique, skeleton_many(unique), strict=True))
    return [[folded[w] for w in ws] for ws in per_text]

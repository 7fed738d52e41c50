"""The synthetic corpus and query set every index benchmark (and the answer-stability test) uses.

Entries are shaped like the real ones: a two- or three-word name, a spelling variant of it and a role.
Queries come in four groups, in fixed proportions: exact names, names with one edit (a letter left
out or a vowel added), a surname alone, and names the index has never seen. Deterministic for a seed.
"""

from __future__ import annotations

import random

from bot.index import Doc

SYLLABLES = tuple(
    "ka ra ba mo li ye va za de si ne gu lo ta ri po an el ur is ho fi sa mi do ke zu ba ya ol "
    "ev ov ar an in en on us ik ek az ir".split(" ")
)
ROLES = ("member of parliament", "foreign minister", "news agency", "political party", "speaker",
         "commentator", "delegation", "committee", "ministry", "governor")
# Queries made of the roles' common words: each word is in a tenth of the entries or more.
COMMON_QUERIES = ("member of parliament foreign minister", "foreign minister", "news agency political party",
                  "member of parliament", "political party delegation committee", "ministry governor speaker")
GROUPS = (("exact", 0.35), ("typo", 0.35), ("surname", 0.15), ("unseen", 0.15))


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_docs(n: int, seed: int = 7) -> list[Doc]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        name = " ".join(word(rng).capitalize() for _ in range(rng.randint(2, 3)))
        variant = name.replace("k", "kh").replace("a", "ə", 1)
        docs.append(Doc(f"x{i}", "actor", names=[name, variant], titles=[f"{rng.choice(ROLES)} {word(rng)}"]))
    return docs


def typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(1, max(2, len(text) - 1))
    return text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + rng.choice("aeiou") + text[i:]


def queries(docs: list[Doc], count: int = 1000, seed: int = 11) -> list[tuple[str, str, str | None]]:
    """(group, query, the entry id it should find first, or None for an unseen name)."""
    rng = random.Random(seed)
    sizes = [round(count * share) for _, share in GROUPS]
    sample = rng.sample(docs, sum(sizes[:3]))
    out: list[tuple[str, str, str | None]] = []
    at = 0
    for (group, _), size in zip(GROUPS, sizes, strict=True):
        for _ in range(size):
            if group == "unseen":
                out.append((group, f"{word(rng)} {word(rng)}zz", None))
                continue
            doc = sample[at]
            at += 1
            name = doc.names[0]
            text = {"exact": name, "typo": typo(name, rng) if group == "typo" else name,
                    "surname": name.split()[-1]}[group]
            out.append((group, text, doc.entry_id))
    return out

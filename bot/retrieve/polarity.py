"""What a text asserts and what it denies, word by word: "the civilian population is not a target"
denies "target"; "civilians were the target" asserts it. A query that asserts a word an entry only
ever denies is not that entry's claim, however close the two are in meaning (an embedding puts a
sentence and its negation side by side).

A word is denied when it stands in the scope of a negator, within its clause: the few words after
"not", "не", "failed to", "ignored", "avoids" (English, Russian), or the words before "deyil", "yox",
"yayınır" or an Azerbaijani verb negated by its suffix ("alınmırdı"; Azerbaijani puts them last).
Words are compared
by their folded forms and base forms (bot.understand.morph), so "target"/"targets", "вывела"/"вывели"
meet; a word is asserted by an entry when any of its texts (its English ones and its reviewed
translations) uses it outside a negation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.normalize import skeleton, words
from bot.understand.intent import guess_lang
from bot.understand.morph import russian_negated, term_forms

# Negators whose scope is the words after them, as typed ("don't" is folded to "dont" below).
_BEFORE_WORDS = (
    "not never no cannot cant dont doesnt didnt isnt arent wasnt werent wont hasnt havent hadnt couldnt "
    "wouldnt shouldnt failed fails fail failing neither nor не нет ни никогда ничуть отнюдь "
    # verbs that deny what follows them: "ignored appeals to withdraw", "avoids democratic reforms"
    "ignored ignores ignore ignoring refused refuses refuse refusing avoided avoids avoid avoiding "
    "disregarded disregards disregard disregarding flouted flouts neglected neglects "
    "проигнорировал проигнорировала проигнорировали пренебрегает пренебрегли пренебрёг "
    "игнорирует игнорировали игнорировал игнорировала избегает избегают избегало избегал избегала "
    "отказалась отказался отказались отказывается отказываются избежать избегать игнорировать отказаться "
    "уклоняется уклоняются уклониться "
    # "hard to believe that the MPs acted on their own", "трудно поверить, будто депутаты действовали …"
    "hardly трудно сложно").split()
# Negators whose scope is the words before them (Azerbaijani: "hədəf deyil", "məhbus yoxdur").
_AFTER_WORDS = "deyil deyildir deyildi yox yoxdur yayınır yayınmağa yayınıb yayınmaq imtina".split()
_BEFORE = frozenset(skeleton(w) for t in _BEFORE_WORDS for w in words(t))
_AFTER = frozenset(skeleton(w) for t in _AFTER_WORDS for w in words(t))
_AFTER_MARK = frozenset({"\x00after"})  # added to a negated verb's forms: its scope is before it
# Words that end a negation's reach: "did not respond to Baku's calls and chose …" asserts the
# choice (Russian "а" is left out: it folds as the English article "a")
_JOINS = frozenset(skeleton(w) for w in words("and but while whereas и но однако"))
_AZ_POSITIVE = ("ib", "ub", "di", "du", "ir", "ur", "mis", "mus", "ar", "ajak", "diar", "dilar", "iblar", "ublar")
_AZ_GENITIVE = re.compile(r"(?:[^aeiou][iu]n|n[iu]n)$")  # folded: "tədbirlərin", "Ermənistanın", "əhalinin"
RUSSIAN_BUT = re.compile(r"(?<!\w)[Нн]о(?!\w)")  # "но" ("but"): folded, it reads as the English "no"
_ONE_MARK = frozenset({"\x00one"})  # the "не-" of "неподходящий": its scope is the word after it alone
# Azerbaijani verbs negated by their suffix, as folded ("alınmırdı" -> alinmirdi, "etmədi" -> etmadi,
# "olmayıb" -> olmaib, "görməmiş" -> gormamis), with person and tense endings after it. Only in
# Azerbaijani text: "Kashmir" ends like "-mir" too.
_AZ_NEGATED_VERB = re.compile(r"..(?:m[iu]r|mad[iu]|ma[iu]b|mam[iu]s)(?:d[iu]r|d[iu]lar|d[iu]|lar|[iu]z|s[iu]n[iu]z"
                              r"|s[iu]n|am|[iu]m|[iu]k|[iu]g|[iu]n)?$")
_NEGATOR_WORD = re.compile(  # the same words as typed, for the quick look before any folding
    r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, _BEFORE_WORDS + _AFTER_WORDS), key=len, reverse=True))
    + r")(?!\w)|n['’]t(?!\w)", re.IGNORECASE)
_NE_WORD = re.compile(r"(?<!\w)[Нн]е[а-яё]{5,}")  # "неподходящий", "незаконно": see morph.russian_negated
_AZ_LETTERS = re.compile("[əƏğĞıİ]")  # a text with these may be Azerbaijani (a quick look before guess_lang)
_DOUBT = frozenset(skeleton(w) for w in words(
    "doubt doubts doubted question сомнений сомнения сомневается сомневаюсь сомневались şübhə şübhəm"))
_CLAUSES = re.compile(r"[;:!?,()\[\]]|\.(?=\s|$)|\s[—–-]\s")  # where a negation's reach ends
# ... except the comma Russian puts before "что", "будто", "чтобы": "трудно поверить, будто депутаты
# действовали сами" denies what the clause after it says, as "not believable that" does in English.
_COMPLEMENT = re.compile(r",\s*(что|будто|чтобы|словно|that)(?!\w)", re.IGNORECASE)
SCOPE_AFTER = 6  # words after an English or Russian negator it may negate ("has not completely withdrawn its")
SCOPE_BEFORE = 2  # words before an Azerbaijani one
MIN_LETTERS = 4  # shorter words ("a", "of", "its", "и") carry no claim of their own


# English verbs by their base form, for comparing "held" with "hold", "withdrew" with "withdrawn"
# (bot.understand.morph folds English plurals only). Regular ones lose -ed, -ing, -s below.
IRREGULAR_VERBS = {
    "hold": "held", "withdraw": "withdrew withdrawn", "leave": "left", "flee": "fled", "drive": "drove driven",
    "take": "took taken", "give": "gave given", "make": "made", "say": "said", "tell": "told", "send": "sent",
    "bring": "brought", "fight": "fought", "win": "won", "lose": "lost", "begin": "began begun",
    "break": "broke broken", "choose": "chose chosen", "know": "knew known", "pay": "paid", "meet": "met",
    "lead": "led", "keep": "kept", "stand": "stood", "strike": "struck stricken", "write": "wrote written",
    "see": "saw seen", "go": "went gone", "come": "came", "shoot": "shot", "hide": "hid hidden",
    "seek": "sought", "speak": "spoke spoken", "understand": "understood", "build": "built", "sell": "sold",
    "buy": "bought", "think": "thought", "feel": "felt", "find": "found", "rise": "rose risen",
    "fall": "fell fallen", "forbid": "forbade forbidden", "freeze": "froze frozen", "draw": "drew drawn",
    "grow": "grew grown", "throw": "threw thrown", "overthrow": "overthrew overthrown", "forgive": "forgave forgiven",
    "forget": "forgot forgotten", "sign": "signed", "be": "was were been", "have": "had", "do": "did done",
}
_BASE = {skeleton(form): skeleton(base) for base, forms in IRREGULAR_VERBS.items() for form in forms.split()}


def _english_verb(typed: str) -> set[str]:
    """Other forms of an ASCII word as an English verb: "targeted" -> "target", "held" -> "hold"."""
    out = {_BASE[typed]} if typed in _BASE else set()
    for tail, put in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if typed.endswith(tail) and len(typed) - len(tail) >= 3:
            stem = typed[: -len(tail)] + put
            out |= {stem, skeleton(stem), stem + "e"}  # "used" -> "us", "use"
            break
    return out


@dataclass(frozen=True)
class Polarity:
    asserted: frozenset[str]  # forms of the words used outside any negation
    denied: frozenset[str]  # forms of the words only in the scope of one


def _words(text: str, stop: frozenset[str]) -> list[tuple[frozenset[str], bool, bool, int]]:
    """Each word's forms, whether it is a content word, whether it is a negator (an Azerbaijani verb
    negated by its suffix negates the words before it, as "deyil" does), and its clause: a negation
    reaches no further than the comma, semicolon or full stop after it ("not closed; … open")."""
    azerbaijani = guess_lang(text) == "az"
    text = RUSSIAN_BUT.sub(" однако ", text)  # "но" ("but") ends a negation; folded, it reads as "no"
    out = []
    for clause, piece in enumerate(_CLAUSES.split(_COMPLEMENT.sub(r" \1", text))):
        for typed, alts in term_forms(piece):
            if azerbaijani and len(typed) >= 6 and (m := _AZ_NEGATED_VERB.search(typed)):
                out.append((frozenset({typed, *alts}) | _AFTER_MARK, False, True, clause))
                # ... and denies the verb itself: "tam çıxarmayıb" is no "tam çıxarıb" (its stem with the
                # positive endings, folded)
                stem = typed[: m.start() + 2]
                if len(stem) >= 4:  # (not the light verbs "et-", "ol-", "ver-" of "müraciət etməyib")
                    out.append((_ONE_MARK, False, True, clause))
                    out.append((frozenset({stem, *(stem + e for e in _AZ_POSITIVE)}), True, False, clause))
                continue
            negator = typed in _BEFORE or typed in _AFTER
            content = not negator and len(typed) >= MIN_LETTERS and typed not in stop and not typed.isdigit()
            forms = {typed, *alts}
            if azerbaijani and len(typed) >= 7 and typed.endswith(("dir", "dur")):
                forms |= {typed[:-3], *term_forms(typed[:-3])[0][1]}  # "hədəfidir" ("is the target"): hədəfi
            if typed.isascii():
                forms |= _english_verb(typed)
            out.append((frozenset(forms), content, negator, clause))
            if content and (denied := _denied_within(piece, typed)):
                # "неподходящий формат" denies "подходящий": the word it is made of, and only that word
                out.append((_ONE_MARK, False, True, clause))
                out.append((denied, True, False, clause))
    return out


def _denied_within(piece: str, typed: str) -> frozenset[str]:
    """The forms of the word a Russian "не-" adjective or adverb of this piece denies, if `typed` is one."""
    if not typed.startswith("ne") or piece.isascii():
        return frozenset()
    for raw in re.findall(r"[^\W\d_]+", piece):
        if raw[:2].lower() == "не" and (rest := russian_negated(raw)) and term_forms(raw) \
                and term_forms(raw)[0][0] == typed:
            found = term_forms(rest)
            return frozenset({found[0][0], *found[0][1]}) if found else frozenset()
    return frozenset()


def _negated(ws: list[tuple[frozenset[str], bool, bool, int]]) -> set[int]:
    """The positions in some negator's scope, within its clause. "no doubt that …", "нет сомнений",
    "şübhə yoxdur" negate the doubt only: what follows is asserted."""
    out: set[int] = set()
    for n, (forms, _, negator, clause) in enumerate(ws):
        if not negator:
            continue
        scope = range(max(0, n - SCOPE_BEFORE), n) if forms & (_AFTER | _AFTER_MARK) \
            else range(n + 1, n + 2) if forms == _ONE_MARK else range(n + 1, min(len(ws), n + 1 + SCOPE_AFTER))
        inside = [m for m in scope if ws[m][3] == clause]
        if forms & _AFTER or forms & _AFTER_MARK:
            # "bu tədbirlərin hədəfi deyil" denies the target, not the measures it is of: a word in the
            # genitive before the last one only says whose it is
            typed = max(ws[inside[0]][0], key=len) if len(inside) == 2 else ""  # (base forms are shorter)
            if len(typed) >= 5 and _AZ_GENITIVE.search(typed):
                inside = inside[1:]
        elif forms == _ONE_MARK:
            pass
        elif (stop := next((k for k, m in enumerate(inside) if ws[m][0] & _JOINS), None)) is not None:
            # "did not respond to Baku's calls and chose …": a second verb after "and" is asserted
            inside = inside[:stop]
        doubt = next((m for m in inside if ws[m][0] & _DOUBT), None)
        if doubt is not None:
            inside = [doubt]
        out.update(inside)
    return out


def _scoped(text: str, stop: frozenset[str]) -> tuple[set[str], set[str]]:
    ws = _words(text, stop)
    negated = _negated(ws)
    asserted: set[str] = set()
    denied: set[str] = set()
    for n, (forms, content, _, _) in enumerate(ws):
        if content:
            (denied if n in negated else asserted).update(forms)
    return asserted, denied


def _has_negator(text: str) -> bool:
    """A quick look (no folding, no morphology): most texts negate nothing."""
    if _NEGATOR_WORD.search(text) or (_NE_WORD.search(text) and any(
            russian_negated(m.group()) for m in _NE_WORD.finditer(text))):
        return True
    return _AZ_LETTERS.search(text) is not None and any(
        len(w) >= 6 and _AZ_NEGATED_VERB.search(skeleton(w)) for w in words(text))


def negates(text: str, stop: frozenset[str]) -> bool:
    """Whether the text denies any word ("hədəfə alınmırdı", "did not withdraw")."""
    return _has_negator(text) and bool(_scoped(text, stop)[1])


def polarity(texts: Iterable[str], stop: frozenset[str]) -> Polarity:
    """An entry's polarity over all its texts: a word asserted in any of them is asserted.

    Morphology only where it can matter (it is most of the cost, paid once per entry): the texts that
    negate something, and the others only if they hold a word that starts like one denied."""
    texts = list(texts)
    asserted: set[str] = set()
    denied: set[str] = set()
    rest = []
    for text in texts:
        if _has_negator(text):
            a, d = _scoped(text, stop)
            asserted |= a
            denied |= d
        else:
            rest.append(text)
    if not denied - asserted:
        return _NOTHING_DENIED
    starts = {f[:4] for f in denied}
    for text in rest:
        if any(skeleton(w)[:4] in starts for w in words(text)):
            asserted |= _scoped(text, stop)[0]
    return Polarity(frozenset(asserted & denied), frozenset(denied - asserted))


_NOTHING_DENIED = Polarity(frozenset(), frozenset())


def asserted_words(text: str, stop: frozenset[str], skip: frozenset[int] = frozenset()) -> tuple[frozenset[str], ...]:
    """The forms of each content word a query asserts (not negated; positions in `skip`, the names
    it gives, left out)."""
    ws = _words(text, stop)
    negated = _negated(ws)
    # A word the text denies too takes no side of its own: "the target is only the armed units, the
    # civilians are no target" asserts nothing of "target" an entry denying it contradicts.
    denied = {f for n, (forms, content, _, _) in enumerate(ws) if content and n in negated for f in forms}
    return tuple(forms for n, (forms, content, _, _) in enumerate(ws)
                 if content and n not in negated and n not in skip and not forms & denied)


def contradicts(asserted: tuple[frozenset[str], ...], entry: Polarity) -> bool:
    """The query asserts a word the entry only ever denies."""
    return any(forms & entry.denied and not forms & entry.asserted for forms in asserted)

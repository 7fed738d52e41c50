"""Questions that ask for a figure: "how many congressmen signed the letter to Blinken?", "сколько
тысяч семей вернутся?", "neçə nəfər zərər çəkib?".

Such a question names what it counts right after its count words (`count_words` in
bot/understand/questions_*.yaml). An entry answers it when it holds a figure followed, within a few
words, by a form of that counted word ("nearly 60 U.S. Congressmen", "over 300 political prisoners"),
in its own text or its reviewed translation. A counted word that stands for people in general
("people", "человек", "nəfər") is answered by any figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.normalize import skeleton, words
from bot.retrieve.figures import YEAR, figure_positions, magnitude, numbers
from bot.understand.intent import rules
from bot.understand.morph import term_forms

FIGURE_REACH = 3  # words after a figure that may name what it counts ("60 U.S. Congressmen", not "… and Senators")
COUNTED = 2  # content words after the count words that name what is counted
# Words between a count word and what it counts: "how many thousand families", "сколько тысяч семей"
_MAGNITUDES = frozenset(skeleton(w) for w in words(
    "hundred hundreds thousand thousands million millions сотни сотен тысяч тысячи тысяча миллионов миллиона "
    "миллион yüz min milyon"))
_DIGIT = re.compile(r"\d")
_FIGURE = re.compile(r"\d[\d,.\u00a0]*")


def _is_figure(word: str) -> bool:
    """A figure, not a year ("since November 2020, 303 Azerbaijanis"), nor a name with digits (COP29)."""
    return bool(_FIGURE.fullmatch(word)) and not YEAR.fullmatch(word)
# A shared beginning this long, in words longer than it, makes two words forms of one ("congressmen",
# "congressman"); "армян" (Armenians) and "армянских" (Armenian) stay apart.
_PREFIX = 6

_ENDINGS = frozenset({"s", "es", "d", "ed", "ing", "er", "ers"})  # English inflections: "appeal", "appealed"
# Words asking how a figure was given, not what it is about: "how many prisoners did Karimli mention?"
_REPORT = ("say says said mention mentioned mentions cite cited give gave given count counted report reported "
           "name named list listed estimate estimated put claim claimed write wrote written "
           "говорит говорят сказал сказала сказали назвал назвала назвали упомянул упомянула привёл привел "
           "привела насчитал насчитала говорится написал написали "
           "dedi deyir deyib qeyd etdi etdi göstərdi bildirdi bildirib yazıb yazdı yazib")
# Words that only hedge the asker's guess: "nearly sixty", "three hundred or so", "около 300"
_HEDGES = ("nearly about around roughly approximately almost over more than less fewer so "
           "около примерно почти более больше меньше приблизительно "
           "təxminən təqribən çox az yaxın")

Forms = frozenset[str]
# After a name, what is counted: "how many PACE members", "сколько депутатов ПАСЕ" (the name is then
# what they belong to, not what is counted)
_MEMBERS = frozenset(skeleton(w) for w in words(
    "members member deputies deputy mps delegates депутатов депутата членов члена üzvü üzvləri deputatı deputatları"))
# Words that end the noun group after a figure: "over 300 political prisoners ahead of COP29"
_STOP_AFTER = frozenset(skeleton(w) for w in words(
    "and or but of in on at to for ahead since by with which who that were was are is и или в на к до с по от "
    "были было был ilə və da də"))


@cache
def _report_words() -> frozenset[str]:
    return frozenset(skeleton(w) for w in words(_REPORT))


@cache
def _hedges() -> frozenset[str]:
    return frozenset(skeleton(w) for w in words(_HEDGES))


@cache
def _phrases() -> tuple[tuple[str, ...], ...]:
    """Each count phrase as folded words, longest first."""
    found = {tuple(skeleton(w) for w in words(p)) for p in rules().count_words}
    return tuple(sorted((p for p in found if p), key=len, reverse=True))


@cache
def _people() -> frozenset[str]:
    return frozenset(skeleton(w) for p in rules().count_any for w in words(p))


@dataclass(frozen=True)
class Count:
    """What a count question counts, and what else it says of them."""

    counted: tuple[Forms, ...]  # forms of its first content words after the count words
    rest: tuple[Forms, ...]  # forms of its other content words (names and report verbs left out)
    reported: bool = False  # it asks what figure someone gave ("did Karimli mention", "wrote")
    least: int = 0  # "how many thousand …", "сколько тысяч …", "neçə min …": a figure below this is none


def count_question(text: str, stop: frozenset[str], named: frozenset[int] = frozenset()) -> Count | None:
    """The count a text asks for, or None. "how many congressmen signed the letter …" counts
    ({congresmen}, {signed}) and says ({letter}); "сколько тысяч армянских военных …" counts
    ({armyanskix, …}, {voenyx, …}). `named` are the word positions of names the text gives."""
    forms = term_forms(text)
    typed = [t for t, _ in forms]
    asks = text.rstrip().endswith("?")
    for phrase in _phrases():
        at = next((n for n in range(len(typed) - len(phrase) + 1) if tuple(typed[n:n + len(phrase)]) == phrase),
                  None)
        # A question opens with its count words, or ends with a question mark: "the world has
        # acknowledged how much the elections improved" asks for no figure.
        if at is None or not (asks or at <= 1):
            continue
        counted: list[Forms] = []
        rest: list[Forms] = []
        reported = False
        for n, (word, alts) in enumerate(forms):
            if at <= n < at + len(phrase) or word in _MAGNITUDES or word in stop or word in _hedges() \
                    or _DIGIT.search(word):
                continue
            if {word, *alts} & _report_words():
                reported = True
            elif n > at and len(counted) < COUNTED and not (n in named and n + 1 < len(forms)
                                                            and forms[n + 1][0] in _MEMBERS):
                # what is counted ("political prisoners", "congressmen signed"): the first word is the
                # thing counted, the second may already say what of them, so it counts as said too
                counted.append(frozenset({word, *alts}))
                if len(counted) == 2 and n not in named:
                    rest.append(counted[-1])
            elif n not in named:
                rest.append(frozenset({word, *alts}))
        after = at + len(phrase)
        least = magnitude(typed[after]) if after < len(typed) and typed[after] in _MAGNITUDES else 0
        return Count(tuple(counted), tuple(rest), reported, least) if counted else None
    return None


def counted(text: str, stop: frozenset[str]) -> tuple[Forms, ...] | None:
    """What a count question counts (None when the text asks for no figure)."""
    found = count_question(text, stop)
    return found.counted if found else None


def same_word(a: Forms, b: Forms) -> bool:
    """Forms of one word: shared forms, a long shared beginning, or an English inflection
    ("appeal", "appealed")."""
    if a & b:
        return True
    for x in a:
        for y in b:
            if len(x) > _PREFIX and len(y) > _PREFIX and x[:_PREFIX] == y[:_PREFIX]:
                return True
            short, long = (x, y) if len(x) <= len(y) else (y, x)
            if len(short) >= 4 and long.startswith(short) and long[len(short):] in _ENDINGS:
                return True
    return False


def holds_count(texts: list[str], asked: tuple[Forms, ...], least: int = 0) -> bool:
    """Whether one of the texts gives a figure of what the question counts: a figure followed within
    `FIGURE_REACH` words by a form of the first counted word (of either, when the first stands for
    people in general: "how many people were hit by mines" → "303 Azerbaijani citizens"), and no
    smaller than `least` ("neçə min azərbaycanlı": thousands, not the 303)."""
    if not asked:
        return False
    anyone = bool(asked[0] & _people())
    for text in texts:
        if least and not ((found := figure_phrase(text, asked))
                          and max((int(v) for v in numbers(found[0]) if v.isdigit()), default=0) >= least):
            continue  # the figure of what is counted is smaller than the thousands asked for
        forms = term_forms(text)
        figures = figure_positions([w for w, _ in forms])
        for n in sorted(figures):
            if n + 1 in figures:
                continue  # "one million": the figure ends with its magnitude
            if anyone:
                return True
            after = forms[n + 1:n + 1 + FIGURE_REACH]
            if any(same_word(asked[0], frozenset({w, *alts})) for w, alts in after):
                return True
    return False


_TOKEN = re.compile(r"[^\s,;:()«»“”\"]+(?:,\d{3})*")


def figure_phrase(text: str, asked: tuple[Forms, ...], said: tuple[Forms, ...] = ()) -> tuple[str, int] | None:
    """The words of `text` that give the figure asked for, as written ("nearly 60 U.S. Congressmen",
    "over 300 political prisoners", a hedge before the figure kept), and how many of the question's
    other words (`said`) lie around it: of several figures ("over 30,000 killed, nearly 4,000 went
    missing"), the one whose words the question uses. None when the text gives none."""
    if not asked:
        return None
    tokens = [(m.start(), m.end(), term_forms(m.group())) for m in _TOKEN.finditer(text)]
    figures = sorted(figure_positions([forms[0][0] if forms else "" for _, _, forms in tokens]))
    if not figures:
        return None

    def span(first: int, last: int) -> str:
        while first and first - 1 in figures:
            first -= 1  # "10 000"
        if first and tokens[first - 1][2] and tokens[first - 1][2][0][0] in _hedges():
            first -= 1
        shown = text[tokens[first][0]:tokens[last][1]]
        return shown if re.search(r"\.\w+\.$", shown) else shown.rstrip(".")  # "U.S." keeps its dot

    def near(at: int) -> int:
        """The question's other words around this figure: after it up to the next figure, and the
        few before it back to the previous one."""
        nxt = next((n for n in figures if n > at), len(tokens))
        prev = max((n for n in figures if n < at), default=-1)
        around = [f for _, _, forms in tokens[max(prev + 1, at - FIGURE_REACH):min(nxt, at + 2 * FIGURE_REACH)]
                  for f in forms]
        return sum(1 for s in said if any(same_word(s, frozenset({w, *alts})) for w, alts in around))

    def is_word(m: int, forms: Forms) -> bool:
        return any(same_word(forms, frozenset({w, *alts})) for w, alts in tokens[m][2])

    people = _people() if asked[0] & _people() else frozenset()
    # (-(words near, +1 when the counted word follows), -how it names what is counted, order, phrase)
    found: list[tuple[int, int, int, str]] = []
    for n in figures:
        if n + 1 in figures:
            continue  # "one million": the figure ends with its magnitude
        nxt = next((m for m in figures if m > n), len(tokens))
        after = range(n + 1, min(len(tokens), n + 1 + FIGURE_REACH, nxt))  # "October 3, nearly 60 …": not 3
        counted_at = next((m for m in after if is_word(m, asked[0])), None)
        if counted_at is not None:
            last = counted_at + 1 if len(asked) > 1 and counted_at + 1 < len(tokens) \
                and is_word(counted_at + 1, asked[1]) else counted_at
            found.append((-near(n) - 1, -2, n, span(n, last)))
        elif people and any(frozenset({w, *a}) & people for m in after for w, a in tokens[m][2]):
            found.append((-near(n), -1, n, span(n, min(n + 1, len(tokens) - 1))))  # "140,000 people"
        elif people or (near(n) and any(is_word(m, asked[0]) for m in range(len(tokens)))):
            # "over 30,000 Azerbaijanis were killed, nearly 4,000 went missing": the figure the question's
            # words follow, with the two words after it
            last = n
            for m in range(n + 1, min(len(tokens), n + 3)):
                if not tokens[m][2] or tokens[m][2][0][0] in _STOP_AFTER or m in figures:
                    break
                last = m
                if text[tokens[m][1]:tokens[m][1] + 1] in (",", ";", ":"):
                    break  # "303 Azerbaijanis, including two journalists"
            found.append((-near(n), 0, n, span(n, last)))
    if not found:
        return None
    best = min(found)
    if best[1] == 0 and not best[0]:
        return None  # a figure of something else
    return best[3], -best[0] - (1 if best[1] == -2 else 0)


def figure_value(phrase: str) -> str:
    """The figure of a phrase, separators dropped: "nearly 10 000 военнослужащих" → "10000"."""
    digits = re.findall(r"\d[\d,.\u00a0 ]*\d|\d", phrase)
    return re.sub(r"[,.\u00a0 ]", "", digits[0]) if digits else ""


def occurrences(text: str, value: str) -> int:
    """How often a text gives this figure ("34 500" twice in "34 500 семьям … 34 500 квартир")."""
    return sum(1 for m in re.finditer(r"\d[\d,.\u00a0 ]*\d|\d", text) if figure_value(m.group()) == value)


def figure_at(text: str, value: str, stop: frozenset[str]) -> str | None:
    """The words of `text` that give this figure: the figure, a hedge before it, and the words after it
    up to a stop word or a break ("over 300 political prisoners ahead of COP29" → "over 300 political
    prisoners"). For a question in another language, matched on the entry's reviewed translation."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    for n, (_, _, token) in enumerate(tokens):
        if figure_value(token) != value or not _is_figure(re.sub(r"[,\u00a0]", "", token)):
            continue
        if sum(1 for _, _, t in tokens if figure_value(t) == value) > 1:
            return None  # "34,500 families … 34,500 apartments": which one the translation meant is unsure
        first = n - 1 if n and skeleton(words(tokens[n - 1][2])[0] if words(tokens[n - 1][2]) else "") in _hedges() \
            else n
        last = n
        for m in range(n + 1, min(len(tokens), n + 3)):  # two words: "over 300 political prisoners"
            folded = words(tokens[m][2])
            if not folded or skeleton(folded[0]) in stop or _DIGIT.search(tokens[m][2]):
                break
            last = m
            if text[tokens[m][1]:tokens[m][1] + 1] in ",;:.":
                break
        return text[tokens[first][0]:tokens[last][1]].rstrip(".,")
    return None

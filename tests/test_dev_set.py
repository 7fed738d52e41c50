"""The query sets as regression guards, through the real batch command (`python -m bot ask --json`).

- queries_dev.yaml (public): every query passes.
- queries_dev_extra.yaml (public), queries_labelled.yaml (ours, the thresholds are fitted on it),
  queries_holdout.yaml (ours, never tuned on) and queries_fresh.yaml (written by a reader who saw
  neither the code nor the other sets; scored once before any change it prompted) and
  queries_console.yaml (a blind tester's 128 console messages, expectations from the sources, see
  usertest-2026-12-01.md; the tester saw 109/128 right, the set scored 113 when written) and
  queries_usertest3.yaml (the third blind session's messages, labelled from the sources by another
  reader after most of the fixes it prompted: 139/149 when written) and queries_usertest5.yaml (the
  fifth blind session's 112 messages, labelled the same way after the fixes it prompted: 101/112 when
  added) and queries_usertest6.yaml (the sixth's 110, labelled the same way: 97/110 when added,
  after the fixes it prompted) and queries_counts.yaml (80 figure questions, "how many …", "сколько …",
  "neçə …", written from the sources by a labeller who saw neither the bot nor its code: 55/80 before
  the figure evidence it was written for, 62/80 after) and queries_blind7.yaml (90 /claim statements,
  45 of them made-up, written the same way: 66/90 at first, with 7 made-up ones answered; 69/90
  after the fixes it prompted), queries_blind8.yaml (110 actor, question and date queries written the
  same way: 97/110 at first) and queries_blind9.yaml (120 timelines, questions, "what did X say" and
  Russian and Azerbaijani claims, 40 of them negatives, written the same way: 104/120 at first, with
  4 negatives answered) and queries_blind10.yaml (120 claims, actors, timelines and questions typed
  as Telegram users type, 40 negatives, written the same way: 104/120 at first, with 3 negatives
  answered): no negative is
  ever answered, no answer breaks Telegram's HTML rules, and the pass count does not fall below
  what it is today (raise the floor when it rises: benchmarks/fit_tiers.py prints the per-tier table).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.eval.score import check_telegram_html, judge

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# holdout 89 → 88 (2026-12-01): "азербайджанские позиции" now names Azerbaijan, whose Russian forms
# raise a rival claim's word coverage, and a thin lead (0.019) fell under the margin; the same change
# refuses the Ukrainian-conflict and Turkish-troops questions that used to be answered wrongly.
FLOORS = {"queries_dev.yaml": 62, "queries_dev_extra.yaml": 57, "queries_labelled.yaml": 219,
          "queries_holdout.yaml": 97, "queries_fresh.yaml": 128, "queries_console.yaml": 124,
          "queries_usertest3.yaml": 145, "queries_usertest5.yaml": 106, "queries_usertest6.yaml": 101,
          "queries_counts.yaml": 64, "queries_blind7.yaml": 72, "queries_blind8.yaml": 101,
          "queries_blind9.yaml": 111, "queries_blind10.yaml": 107}
KNOWN_MISSES = {
    "G085",  # "министр иностранных дел Армении": Armenia's leadership, whose role names the Foreign
             # Ministry ("as Azerbaijan's Foreign Ministry refers to it"), is near by words and meaning
    "F112",  # "Mammadli says the MPs wrote the appeal entirely on their own initiative": the claim says
             # the opposite through a negation inside it, which the stance check does not read (see rank.opposed)
    "F131",  # "Azerbaijan's delegation went back to PACE in 2024": answered by meaning (0.891, bar 0.885) with
             # the delegation's 2001-2020 grievance. Only the year refused it before: the delegation's claims
             # were filed "October 2023 - February 2024" (date value 2023-10); the text dates them to early
             # 2024 ("until 2025", issue 9), so the year holds and the ranker's false positive shows
    "C125",  # "Nəsimi Məmmədli deputatların müraciətini müstəqil addım adlandırdı": the opposite of his claim
             # ("not believable that MPs would independently take such a step"), a negation inside the
             # entry, as F112
    "C128",  # "ermənilər Qarabağda qalmağa qərar verdilər" ("decided to stay"): the exodus claim holds both
             # sides' words ("despite Baku's calls to stay"), so the stance check sees no opposition
    "V033",  # "/claim Fazil Mustafa voted against the appeal": Mustafa defends the appeal ("independence is
             # the highest value"); "voted against" is no stance word (a bare "against" is too often topical)
    # queries_counts.yaml: figure questions whose figure is the sources' but for another group, time or
    # tense; each entry holds a figure of the thing counted and the question's other words
    "N021",  # Luxembourg deputies declared persona non grata: the 76 are PACE members, Luxembourg's among them
    "N023",  # US senators alone: "nearly 60 U.S. Congressmen and Senators" counts both
    "N050",  # mine victims *before* November 2020: the 303 are since then ("до" is not read as a bound)
    "N056",  # flats "already built": the 34,500 are to be built
    "N072",  # signatories of Gafarova's appeal: answered by the words "müraciət" with the appeal's authors
    "N076",  # families returning in the Great Return's second stage: the 34,500 are the first stage's
    # queries_blind7.yaml: made-up claims still answered, each near a real one
    "B036",  # "Mammadli says Russia's influence … has been shrinking": he says Russia "feels much more
             # comfortable"; no words of the change axis ("declined", "grew") in his claim
    "B050",  # "the Foreign Ministry says it barred the Red Cross": it says it ensured the ICRC's passage
    "B054",  # "парламент Люксембурга объявил 76 … персонами нон грата": Azerbaijan declared them; who did
             # a deed is not checked against the claim's subject
    "B080",  # "Kərimli deyir ki, Qərbin təzyiqi … milli maraqlarına ziddir": Karimli ties the pressure to
             # the prisoners, and calls their release in the national interest
    # queries_blind9.yaml
    "H112",  # "Məmmədli hesab edir ki, ABŞ Azərbaycanın təhlükəsizliyinə yalnız zərər vurub" (the US only harmed
             # Azerbaijan's security): answered with his claim that the tension is "merely" over human rights;
             # his "positive role" claim says the opposite, but harm vs. a positive role is no stance axis yet
    "U051",  # "/timeline since last year" (since 2025): the one entry dated after 2024 is the plan "First
             # stage of the Great Return Program due for completion by late 2026", listed as what it is;
             # the labeller expects nothing (the sources end in November 2024)
}


def cases(name: str) -> list[dict]:
    return yaml.safe_load((HERE / "eval" / name).read_text(encoding="utf-8"))["queries"]


def message(case: dict) -> str:
    return case.get("message") or f"/{case['command']} {case['query']}".rstrip()


def run_batch(messages: list[str]) -> dict[str, dict]:
    """Run the batch command once, exactly as the scorer does."""
    proc = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input="\n".join(messages) + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=600, check=True)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [line["query"] for line in lines] == messages  # one answer per line, in order
    return dict(zip(messages, lines, strict=True))


@pytest.fixture(scope="module")
def answers() -> dict[str, dict]:
    every = [message(c) for name in FLOORS for c in cases(name)]
    return run_batch(list(dict.fromkeys(every)))


@pytest.mark.parametrize("case", cases("queries_dev.yaml"), ids=[c["id"] for c in cases("queries_dev.yaml")])
def test_dev_query(case: dict, answers: dict[str, dict]) -> None:
    answer = answers[message(case)]
    assert judge(case, answer) == [], answer["reply"]


@pytest.mark.parametrize("name", list(FLOORS))
def test_no_negative_is_answered_and_every_reply_is_valid(name: str, answers: dict[str, dict]) -> None:
    answered = [c["id"] for c in cases(name) if (c.get("expect") or {}).get("no_match")
                and c["id"] not in KNOWN_MISSES and answers[message(c)]["matched"] is not False]
    assert not answered, f"negatives answered: {answered}"
    invalid = [c["id"] for c in cases(name) if check_telegram_html(answers[message(c)]["reply"])[0]]
    assert not invalid


@pytest.mark.parametrize("name", list(FLOORS))
def test_the_pass_count_does_not_fall(name: str, answers: dict[str, dict]) -> None:
    passed = sum(1 for c in cases(name) if not judge(c, answers[message(c)]))
    assert passed >= FLOORS[name], f"{name}: {passed}/{len(cases(name))} pass, the floor is {FLOORS[name]}"

"""A curator adds a document: on a copy of the real corpus with a sixth (invented, tests/fixtures/sixth)
document, the corpus checks pass, the bot answers from it, links written on its side only reach the
existing claims, and no existing source button changes; `briefbot draft` drafts that document from
scratch, finding what a curator would, with every guess on a line `check` reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.check import run_check
from bot.core import Engine
from bot.corpus import CorpusError, load_corpus
from bot.curate.draft import draft
from bot.normalize import fold_quote
from tests.test_corpus import assert_corpus_sound

ROOT = Path(__file__).resolve().parent.parent
SIXTH = Path(__file__).resolve().parent / "fixtures" / "sixth"
SEED = next((SIXTH / "seeds").glob("*.txt"))


def copy_corpus(tmp_path: Path, *, with_brief: bool = True) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(ROOT / "briefs", root / "briefs")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    shutil.copy(SEED, root / "seeds" / SEED.name)
    if with_brief:
        shutil.copytree(SIXTH / "briefs", root / "briefs", dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def six(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_corpus(tmp_path_factory.mktemp("six"))


@pytest.fixture(scope="module")
def engines(six: Path) -> tuple[Engine, Engine]:
    before = Engine(load_corpus(ROOT / "briefs", ROOT / "seeds"), embedder=None)
    after = Engine(load_corpus(six / "briefs", six / "seeds"), embedder=None)
    return before, after


def test_the_corpus_checks_pass_with_a_sixth_document(six: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(six / "briefs", six / "seeds") == 0, capsys.readouterr().err
    base = load_corpus(ROOT / "briefs", ROOT / "seeds")
    assert f"{len(base.sources) + 1} sources" in capsys.readouterr().out
    assert_corpus_sound(six / "briefs", six / "seeds")


def test_links_written_on_the_new_side_reach_the_existing_claims(engines: tuple[Engine, Engine]) -> None:
    _, after = engines
    claims = after.corpus.claims
    tagiyev = "tagiyev-political-prisoner-concerns-legitimate"
    assert tagiyev in claims["majlis-rejects-political-prisoner-claims"].disputes
    assert "gafarova-luxembourg-resolution-biased" in claims["majlis-luxembourg-resolution-biased"].supports
    card = after.answer("/open c_majlis-rejects-political-prisoner-claims", full=True)
    assert "Tagiyev" in card.html  # the other side is shown on the existing claim's card


def test_no_existing_source_button_changes(engines: tuple[Engine, Engine]) -> None:
    before, after = engines
    assert len(after.corpus.sources) == len(before.corpus.sources) + 1
    new = after.corpus.sources[SEED.name]
    moved = [s for s in before.corpus.sources.values() if after.corpus.sources[s.file].number != s.number]
    assert moved, "the fixture is dated so that it takes an existing document's place in /sources"
    for source in before.corpus.sources.values():
        old_button = before.views.source_buttons([source.file])[0][0].data
        assert after.views.source_buttons([source.file])[0][0].data == old_button
        assert after.answer(old_button).sources == (source.file,)  # still opens the same document
        assert after.answer(f"/start s_{source.stem}").sources == (source.file,)  # old deep links too
    # The number is a convenience in the order shown: the new document's position opens it.
    assert after.answer(f"/source {new.number}").sources == (SEED.name,)
    assert after.answer("/source caucasus-wire-luxembourg").sources == (SEED.name,)  # its declared id


def test_the_bot_answers_from_the_new_document(engines: tuple[Engine, Engine]) -> None:
    _, after = engines
    actor = after.answer("/actor Tagiyev")
    assert actor.matched and SEED.name in actor.sources
    assert SEED.name in after.answer("/timeline OSCE").sources
    assert SEED.name in after.answer("/claim Qafarova Luxembourg biased").sources
    assert SEED.name in after.answer("/sources").sources


# -- briefbot draft ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drafted(engine: Engine) -> object:
    """The sixth document drafted against the real corpus (which does not hold it)."""
    assert SEED.name not in engine.corpus.sources
    return draft(SEED, engine)


def test_the_draft_finds_outlet_and_date_with_the_year_inferred(drafted) -> None:
    source = drafted.source
    assert source.outlets[0][0] == "Caucasus Wire"
    assert source.published.value == "2024-11-21" and source.published.inferred == "year"
    assert "February 7, 2024" in source.published.basis  # the basis names what the year rests on
    assert source.title.startswith("Milli Majlis speaker rejects")


def test_the_draft_finds_dated_events_with_their_year_and_known_actors(drafted) -> None:
    by_date = {e.date.value: e for e in drafted.events}
    assert set(by_date) >= {"2024-11-20", "2024-11-18"}
    meeting = by_date["2024-11-18"]
    assert meeting.date.inferred == "year" and "November 18" in meeting.date.basis
    assert "gafarova" in meeting.actors and "baku" in meeting.places  # "Qafarova" is Gafarova
    assert "pace" not in meeting.actors  # "OSCE Parliamentary Assembly" is not PACE
    assert "luxembourg-chamber" in by_date["2024-11-20"].actors


def test_the_draft_finds_claims_with_verbatim_quotes_and_claimants(drafted) -> None:
    text = fold_quote(SEED.read_text(encoding="utf-8"))
    assert all(fold_quote(c.quote) in text for c in drafted.claims)
    by_quote = {c.quote: c for c in drafted.claims}
    quoted = by_quote["The resolution adopted in Luxembourg is biased and ignores the realities of our region"]
    assert quoted.claimant == "gafarova" and quoted.speech == "quoted"
    reported = by_quote["Azerbaijan remains open to dialogue with the parliaments of European countries"]
    assert reported.claimant == "gafarova" and reported.speech == "reported"
    according = next(c for c in drafted.claims if "political prisoners" in c.quote)
    believes = next(c for c in drafted.claims if "trade" in c.quote)
    assert according.claimant == believes.claimant == "elnur-tagiyev"  # a new name, found twice
    new = {a.id: a for a in drafted.new_actors}
    assert new["elnur-tagiyev"].role == "political analyst" and "Tagiyev" in new["elnur-tagiyev"].aliases
    assert "osce-parliamentary-assembly" in new
    assert not any(a.name in ("Qafarova", "Baku", "Luxembourg") for a in drafted.new_actors)


def test_the_draft_proposes_links_to_existing_claims(drafted) -> None:
    biased = next(c for c in drafted.claims if c.claimant == "gafarova" and "biased" in c.quote)
    assert "majlis-luxembourg-resolution-biased" in {x.claim_id for x in biased.links}
    prisoners = next(c for c in drafted.claims if "political prisoners" in c.quote)
    assert {"majlis-rejects-political-prisoner-claims", "luxembourg-resolution-political-prisoners"} & {
        x.claim_id for x in prisoners.links}


def test_a_draft_never_loads_until_every_todo_is_reviewed(tmp_path: Path, drafted) -> None:
    root = copy_corpus(tmp_path, with_brief=False)
    brief = root / "briefs" / "sources" / f"{SEED.stem}.yaml"
    brief.write_text(drafted.yaml(), encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_corpus(root / "briefs", root / "seeds")
    lines = brief.read_text(encoding="utf-8").splitlines()
    todo_lines = {n for n, line in enumerate(lines, 1) if "TODO" in line}
    found = info.value.problems
    assert todo_lines and {p.line for p in found} == todo_lines  # each TODO, at its line, and nothing else
    assert all(p.file.endswith(f"sources/{SEED.stem}.yaml") and p.message.startswith("TODO") for p in found)


async def test_a_source_button_sent_before_the_sixth_document_opens_the_same_one_after(
        fake_api, start_bot, engines: tuple[Engine, Engine]) -> None:
    """Through the real Telegram stack: the bot answers, a document is added and the index reloaded,
    and the old message's source buttons still open the documents they opened before."""
    from tests.fake_bot_api import stop_app

    before, after = engines
    app = await start_bot(before)
    group = fake_api.group_chat()
    mark = fake_api.mark()
    fake_api.push_message("/actor@BriefTestBot Milli Majlis", chat=group)  # cites the document that moves
    (answer,) = await fake_api.wait_for("sendMessage", since=mark)
    await stop_app(app)
    await start_bot(after)
    buttons = [b for b in answer.buttons if b.get("callback_data", "").startswith("/source ")]
    moved = [s.file for s in before.corpus.sources.values() if after.corpus.sources[s.file].number != s.number]
    assert any(before.answer(b["callback_data"]).sources[0] in moved for b in buttons)
    for button in buttons:
        file = before.answer(button["callback_data"]).sources[0]
        mark = fake_api.mark()
        fake_api.push_callback_query(button["callback_data"], answer.result)
        (card,) = await fake_api.wait_for("sendMessage", since=mark)
        assert file in card.plain and SEED.name not in card.plain


def test_without_the_model_links_are_proposed_by_words(engines: tuple[Engine, Engine]) -> None:
    before, _ = engines  # embedder=None: matching by meaning is off
    lexical = draft(SEED, before)
    assert lexical.links_by.startswith("words")
    links = {x.claim_id for c in lexical.claims for x in c.links}
    assert "majlis-committed-to-dialogue-with-luxembourg" in links and all(
        x.by == "words" for c in lexical.claims for x in c.links)


def test_briefbot_draft_writes_the_brief_once_and_check_lists_its_todos(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    monkeypatch.setenv("BRIEFBOT_EMBEDDER", "none")
    root = copy_corpus(tmp_path, with_brief=False)
    corpus = ["--briefs", str(root / "briefs"), "--seeds", str(root / "seeds")]
    seed = str(root / "seeds" / SEED.name)
    assert main([*corpus, "draft", seed]) == 0
    written = root / "briefs" / "sources" / f"{SEED.stem}.yaml"
    assert written.is_file() and f"wrote {written}" in capsys.readouterr().out
    assert main([*corpus, "draft", seed]) == 1  # never overwrites a brief under review
    assert "--force" in capsys.readouterr().err
    assert main([*corpus, "draft", seed, "-"]) == 0
    assert capsys.readouterr().out == written.read_text(encoding="utf-8")  # `-` prints the same draft
    assert main([*corpus, "check"]) == 1
    err = capsys.readouterr().err
    assert f"sources/{SEED.stem}.yaml:" in err and "TODO lines left to review" in err

"""The corpus checker: the real corpus passes, and each kind of curator mistake is reported
with the right file and line, all at once, so nothing invalid ever reaches users."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.check import run_check
from bot.corpus import CorpusError, Problem, load_corpus
from bot.normalize import fold_quote

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "mini")
    return tmp_path / "mini"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def problems(root: Path) -> list[Problem]:
    with pytest.raises(CorpusError) as info:
        load_corpus(root / "briefs", root / "seeds")
    return info.value.problems


def test_real_corpus_passes_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(ROOT / "briefs", ROOT / "seeds") == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"{len(list((ROOT / 'seeds').iterdir()))} sources" in out  # one per seed, however many there are


def test_every_seed_is_kept_byte_for_byte() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds not beside the project")
    for original in shared.iterdir():
        assert (ROOT / "seeds" / original.name).read_bytes() == original.read_bytes()


def assert_corpus_sound(briefs: Path, seeds: Path) -> None:
    """Independent of the checker: every quote of the loaded model is in its source, every source has a
    distinct stable id that opens it, and every link has its reverse. (Also run on a corpus with a sixth
    document, tests/test_new_document.py.)"""
    corpus = load_corpus(briefs, seeds)
    texts = {name: fold_quote(text) for name, text in corpus.texts.items()}
    cites = [c for e in corpus.events.values() for c in e.cite]
    cites += [c for a in corpus.actors.values() for c in (*a.cite, *(x for r in a.record for x in r.cite))]
    cites += [c for p in corpus.places.values() for c in p.cite]
    cites += [c.cite[0] for c in corpus.claims.values()]
    assert len(cites) > 100
    missing = [c for c in cites if fold_quote(c.quote) not in texts[c.source]]
    assert missing == []
    assert sorted(s.number for s in corpus.sources.values()) == list(range(1, len(corpus.sources) + 1))
    assert len({s.id for s in corpus.sources.values()}) == len(corpus.sources)
    assert all(corpus.source_by_ref(s.id) == s for s in corpus.sources.values())
    for claim in corpus.claims.values():
        for relation in ("disputes", "supports"):
            for other in getattr(claim, relation):
                assert claim.id in getattr(corpus.claims[other], relation), (claim.id, relation, other)


def test_the_real_corpus_is_sound() -> None:
    assert_corpus_sound(ROOT / "briefs", ROOT / "seeds")


def test_mini_fixture_is_valid() -> None:
    corpus = load_corpus(MINI / "briefs", MINI / "seeds")
    assert set(corpus.claims) == {"roe-report-biased", "doe-report-fair"}


def test_quote_not_verbatim_is_reported_with_line_and_closest_passage(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, 'quote: the report was “entirely biased”', 'quote: the report was “totally biased”')
    [p] = problems(mini)
    assert p.file.endswith("alpha.yaml")
    assert p.line == line_of(brief, "totally biased")
    assert "not found verbatim" in p.message
    assert "entirely biased" in p.message  # the closest passage helps the curator


def test_whitespace_and_typographic_quotes_are_forgiven_nothing_else(mini: Path) -> None:
    # The seed has a non-breaking space and curly quotes; the brief uses plain ones.
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, 'quote: calling the report "fair and accurate"', "quote: 'calling   the report \"fair and accurate\"'")
    load_corpus(mini / "briefs", mini / "seeds")
    edit(brief, "calling   the report", "calling the Report")
    [p] = problems(mini)
    assert "not found verbatim" in p.message


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("    role: Speaker of the Assembly\n", "    role: Speaker of the Assembly\n    rank: 1\n", "rank: 1",
         "unknown field 'rank'"),
        ("    aliases: [Roe, Джейн Роу, speaker]", "    aliases: Roe", "aliases: Roe", "expected a list"),
        ("    actors: [roe]", "    actors: [nobody]", "actors: [nobody]", "unknown actor id 'nobody'"),
        ("value: 2024-03, precision: month, inferred", "value: 2024-02-30, precision: day, inferred",
         "2024-02-30", "is impossible"),
        ("    date: {value: 2024-03-03, precision: day}\n    paraphrase: Jane",
         "    date: {value: 2024-03, precision: day}\n    paraphrase: Jane", "value: 2024-03, precision: day",
         "precision 'day' does not fit"),
        ("inferred: full, basis: \"'on Monday' before the 3 March dateline\"", "inferred: full",
         "inferred: full}", "needs a 'basis'"),
        ("    aliases: [Doe, Джон Доу]", "    aliases: [Doe, Джон Доу, Jane Roe]", "Jane Roe]",
         "is also 'Jane Roe' of 'roe'"),
        ("  - id: doe\n", "  - id: roe\n", "name: John Doe", "id already used"),
        ("    source: alpha.txt\n    asked_as", "    source: beta.txt\n    asked_as", "the report was “entirely",
         "cites 'beta.txt', which is not a file in seeds/"),
        ("    kind: person\n    role: opposition", "    kind: human\n    role: opposition", "kind: human",
         "'human' is not one of"),
    ],
)
def test_each_mistake_is_reported_at_its_line(mini: Path, old: str, new: str, needle: str, message: str) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, old, new)
    found = problems(mini)
    assert any(message in p.message for p in found), found
    p = next(p for p in found if message in p.message)
    assert p.file.endswith("briefs/alpha.yaml")
    target = line_of(brief, needle)
    # An entry-level problem may point at the entry's first line, a field problem at the field.
    assert target - 6 <= p.line <= target, (p, target)


def test_missing_required_field(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    paraphrase: John Doe says the report is fair and accurate.\n", "")
    [p] = problems(mini)
    assert "missing field 'paraphrase'" in p.message
    assert p.line == line_of(brief, "id: doe-report-fair")


def test_a_link_written_on_one_claim_is_enough(mini: Path) -> None:
    """The curator declares `disputes` once; the other claim shows the reverse link, exactly as if
    both sides had been written (the two-sided form stays valid)."""
    both = load_corpus(mini / "briefs", mini / "seeds")
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    disputes: [roe-report-biased]\n", "")
    one = load_corpus(mini / "briefs", mini / "seeds")
    assert one.claims["doe-report-fair"].disputes == ("roe-report-biased",)
    assert one.claims["roe-report-biased"].disputes == ("doe-report-fair",)
    assert one.claims == both.claims


def test_a_support_written_once_is_derived_too(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    disputes: [roe-report-biased]\n", "")
    edit(brief, "    disputes: [doe-report-fair]\n", "    supports: [doe-report-fair]\n")
    corpus = load_corpus(mini / "briefs", mini / "seeds")
    assert corpus.claims["doe-report-fair"].supports == ("roe-report-biased",)
    assert corpus.claims["doe-report-fair"].disputes == ()


def test_conflicting_links_are_reported_at_both_declarations(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    # A disputes B (line of roe's `disputes`), while B supports A.
    edit(brief, "    disputes: [roe-report-biased]\n", "    supports: [roe-report-biased]\n")
    found = problems(mini)
    assert len(found) == 2
    assert {p.line for p in found} == {line_of(brief, "disputes: [doe-report-fair]"),
                                      line_of(brief, "supports: [roe-report-biased]")}
    assert all("keep one relation" in p.message and "roe-report-biased" in p.message for p in found)
    assert all(re.search(r"alpha\.yaml:\d+", p.message) for p in found)  # each names where the other side is


def test_source_ids_are_stems_or_declared_and_unique(mini: Path) -> None:
    corpus = load_corpus(mini / "briefs", mini / "seeds")
    assert corpus.sources["alpha.txt"].id == "alpha"
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    title: Speaker", "    id: roe-speech\n    title: Speaker")
    corpus = load_corpus(mini / "briefs", mini / "seeds")
    source = corpus.sources["alpha.txt"]
    assert source.id == "roe-speech"
    for ref in ("roe-speech", "alpha", "alpha.txt", "1", "#1"):  # id, old stem links, the number shown
        assert corpus.source_by_ref(ref) == source, ref
    assert corpus.source_by_ref("2") is None
    edit(brief, "    id: roe-speech\n", "    id: '2024'\n")
    [p] = problems(mini)
    assert "is a number" in p.message and p.line == line_of(brief, "id: '2024'")


def test_seed_without_brief_and_yaml_syntax_error_are_both_reported(mini: Path) -> None:
    (mini / "seeds" / "gamma.txt").write_text("An undescribed document.\n", encoding="utf-8")
    broken = mini / "briefs" / "broken.yaml"
    broken.write_text("actors:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    found = problems(mini)
    assert any(p.file.endswith("seeds/gamma.txt") and "no brief describes" in p.message for p in found)
    assert any(p.file.endswith("broken.yaml") and "YAML syntax" in p.message and p.line >= 3 for p in found)


def test_every_problem_is_reported_not_just_the_first(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "    actors: [roe]", "    actors: [nobody]")
    edit(brief, 'quote: the report was “entirely biased”', "quote: invented words")
    edit(brief, "    kind: person\n    role: opposition", "    kind: human\n    role: opposition")
    assert len(problems(mini)) == 3


def test_check_command_prints_file_and_line(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(mini / "briefs" / "alpha.yaml", "    actors: [roe]", "    actors: [nobody]")
    assert run_check(mini / "briefs", mini / "seeds") == 1
    err = capsys.readouterr().err
    assert re.search(r"alpha\.yaml:\d+: .*unknown actor id 'nobody'", err)


SEED = (MINI / "seeds" / "alpha.txt").read_text(encoding="utf-8")
SEED_WORDS = SEED.split()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(SEED_WORDS) - 1), st.integers(1, 8), st.sampled_from([" ", "  ", "\u00a0", "\n"]))
def test_any_verbatim_span_passes_and_any_altered_span_fails(start: int, length: int, gap: str) -> None:
    """Property: a run of the source's words, re-spaced, is found; with one letter changed, it is not."""
    span = gap.join(SEED_WORDS[start : start + length])
    folded_source = fold_quote(SEED)
    assert fold_quote(span) in folded_source
    altered = span[:-1] + ("Q" if span[-1] != "Q" else "Z")
    assert fold_quote(altered) not in folded_source or altered == span


def test_a_date_known_only_between_bounds(mini: Path) -> None:
    brief = mini / "briefs" / "alpha.yaml"
    edit(brief, "{value: 2024-03, precision: month, inferred: full,", "{value: 2024-02, latest: 2024-03-03, "
         "precision: month, inferred: full,")
    corpus = load_corpus(mini / "briefs", mini / "seeds")
    from bot.dates import label

    assert label(corpus.events["report-remarks"].date) == "between February 2024 and 3 March 2024"
    edit(brief, "latest: 2024-03-03", "latest: 2024-01")
    [p] = problems(mini)
    assert "is not after '2024-02'" in p.message

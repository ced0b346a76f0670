"""Each section and paragraph -> its province, the reason, the runner-up and how sure.

Order of evidence for a section: a header that is a place or opens with a leader
(`【湖北】`, `宁波：…`, `郝鹏在全省大会上的讲话摘要`) decides; a place merely mentioned
in a header or headline is weak and the body may overrule it (a story about 江苏's aid
to 西藏 is titled with 西藏 first; the lead and body say who acts); then an enclosing
header; then the body when one province clearly dominates it; then the whole article;
else 全国. Paragraphs of a national section that name one province only take it.

Weights: a leader's name says who acts (3), a province or city named counts 1, a
dateline 0.5 (where the reporter filed, never enough alone); organisation names and
fixed expressions give no evidence at all (provinces.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from .models import NATIONAL, Article, Paragraph, Section
from .normalize import compact, looks_traditional, normalize_for_counting
from .provinces import Evidence, Gazetteer, evidence_words, header_reading, single_province
from .sections import RawSection

WEIGHT = {"leader": 3.0, "province": 1.0, "place": 1.0, "dateline": 0.5}
MIN_SCORE = 2.0  # what one province needs to carry a body: two mentions or one leader
SHARE = 0.6  # of all the weighted evidence in it
ARTICLE_MIN_SCORE = 3.0


@dataclass
class Tally:
    """Weighted evidence per province over some paragraphs."""

    evidence: list[Evidence] = field(default_factory=list)
    score: dict[str, float] = field(default_factory=dict)
    paragraphs: dict[str, int] = field(default_factory=dict)  # paragraphs naming the province
    first: set[str] = field(default_factory=set)  # provinces named in the first paragraph
    n_paragraphs: int = 0

    @classmethod
    def of(cls, per_paragraph: list[list[Evidence]]) -> Tally:
        # Plain dicts and one loop: this runs per section on every ingest, and most
        # paragraphs name nothing at all.
        t = cls(n_paragraphs=len(per_paragraph))
        score, named_in, evidence = t.score, t.paragraphs, t.evidence
        for i, found in enumerate(per_paragraph):
            if not found:
                continue
            evidence += found
            named = set()
            for e in found:
                score[e.province] = score.get(e.province, 0.0) + WEIGHT[e.kind]
                if e.kind != "dateline":
                    named.add(e.province)
            for prov in named:
                named_in[prov] = named_in.get(prov, 0) + 1
            if i == 0:
                t.first = named
        return t

    def of_province(self, prov: str) -> float:
        return self.score.get(prov, 0.0)

    def ranked(self) -> list[str]:
        return sorted(self.score, key=lambda p: (-self.score[p], p))

    def winner(self, min_score: float = MIN_SCORE) -> str:
        """The province that clearly dominates, or "". Besides weight and share it must be
        named in the first paragraph or in two of them: one paragraph about 安徽 inside a
        national story does not make the story 安徽's."""
        ranked = self.ranked()
        if not ranked:
            return ""
        top = ranked[0]
        total = sum(self.score.values())
        if self.score[top] < min_score or self.score[top] < SHARE * total:
            return ""
        named = self.paragraphs.get(top, 0)
        if not named:  # datelines only
            return ""
        if self.n_paragraphs > 2 and top not in self.first and named < 2:
            return ""
        return top

    def runner_up(self, prov: str) -> tuple[str, int]:
        return runner_up(self.evidence, prov)

    def words(self, prov: str) -> str:
        return evidence_words([e for e in self.evidence if e.kind != "dateline"] or self.evidence, prov)


def runner_up(evidence: list[Evidence], prov: str) -> tuple[str, int]:
    """The other province named most often (mentions), for 也提到：新疆 3 次."""
    counts: dict[str, int] = {}
    for e in evidence:
        if e.province != prov and e.kind != "dateline":
            counts[e.province] = counts.get(e.province, 0) + 1
    if not counts:
        return "", 0
    best = min(counts, key=lambda p: (-counts[p], p))
    return best, counts[best]


_SENTENCE_END = "。！？!?…”」』）)"


def _unfinished(text: str) -> bool:
    """A paragraph that stops mid-sentence (`…公司常务副总`): a stray line break, not an end."""
    text = text.rstrip()
    return bool(text) and text[-1] not in _SENTENCE_END and len(text) > 40


def also_mentioned(province: str, count: int) -> str:
    """The runner-up as editors read it: `也提到：新疆 3 次` ("" when there is none)."""
    return f"也提到：{province} {count} 次" if province and count else ""


@dataclass
class Decision:
    province: str
    reason: str
    weak: bool


def decide_section(
    header: str,
    body_of: Callable[[], Tally],
    gaz: Gazetteer,
    article_of: Callable[[], Tally],
    parent: tuple[str, str] | None,
    day,
) -> tuple[Decision, Evidence | None]:
    """The section's province. The body's and the article's tallies are asked for only when
    the header does not decide (most sections of most articles never need them)."""
    prov, why, speaker, strong = header_reading(header, gaz, day)
    if prov and strong:
        return Decision(prov, why, False), speaker
    if prov:
        body = body_of()
        # A headline's mention: the body may name another actor.
        head = Tally.of([[e for e in gaz.evidence(header, day) if e.kind != "dateline"]])
        other = body.winner()
        mine = body.of_province(prov) + head.of_province(prov)
        theirs = body.of_province(other) + head.of_province(other) if other else 0.0
        if other and other != prov and theirs > mine:
            return Decision(
                other, f"正文：{body.words(other)}（标题提及{prov}）", mine > 0.5 * theirs
            ), speaker
        # Nothing in the body backs the headline's mention: an editor should look.
        return Decision(prov, why, body.of_province(prov) == 0), speaker
    if parent is not None:
        return Decision(parent[0], f"上级标题：{parent[1][:12]} → {parent[0]}", False), speaker
    body = body_of()
    top = body.winner()
    if top:
        second = next((p for p in body.ranked() if p != top), "")
        weak = bool(second) and body.of_province(second) > 0.5 * body.of_province(top)
        return Decision(top, f"正文：{body.words(top)}", weak), speaker
    article = article_of()
    top = article.winner(ARTICLE_MIN_SCORE)
    if top:
        return Decision(top, f"全文：{article.words(top)}", True), speaker
    undecided = any(s >= MIN_SCORE for s in body.score.values())
    return Decision(NATIONAL, "未指明具体地方 → 全国", undecided), speaker


def attribute(
    article: Article,
    raw_sections: list[RawSection],
    gaz: Gazetteer,
    overrides: dict[int, str] | None = None,
    traditional: bool | None = None,
) -> None:
    """Fill article.sections/paragraphs with provinces, reasons, runner-ups and weak flags."""
    day = article.date
    if traditional is None:
        traditional = looks_traditional(article.text)
    # Normalise and gather evidence once per paragraph; every use below shares it.
    if traditional:
        norms = [[normalize_for_counting(t, True) for t in rs.paragraphs] for rs in raw_sections]
    else:  # normalize_for_counting without the conversion: compact
        norms = [[compact(t) for t in rs.paragraphs] for rs in raw_sections]
    flat = gaz.evidence_many([n for sec in norms for n in sec], day)  # one pass per article
    found: list[list[list[Evidence]]] = []
    pos = 0
    for sec in norms:
        found.append(flat[pos : pos + len(sec)])
        pos += len(sec)
    whole: list[Tally] = []  # the article's tally, made when first needed

    def article_of() -> Tally:
        if not whole:
            whole.append(Tally.of([ev for sec in found for ev in sec]))
        return whole[0]

    stack: list[tuple[int, str, str]] = []  # (level, province, header) of open parents
    for sidx, rs in enumerate(raw_sections):
        while stack and stack[-1][0] >= rs.level:
            stack.pop()
        parent = next(((s[1], s[2]) for s in reversed(stack) if s[1] != NATIONAL), None)
        # An own-line header is paragraph 0 and not body; a marker opening a paragraph is.
        own_line = bool(rs.header) and bool(rs.paragraphs) and rs.paragraphs[0] == rs.header
        body_of = partial(Tally.of, found[sidx][1:] if own_line else found[sidx])
        dec, speaker = decide_section(rs.header, body_of, gaz, article_of, parent, day)
        auto_prov, auto_why = dec.province, dec.reason
        prov, why, weak = dec.province, dec.reason, dec.weak
        edited = bool(overrides) and sidx in (overrides or {})
        if edited:
            prov = (overrides or {})[sidx]
            why, weak = f"编辑指定：{prov}（自动判断为{auto_prov}）", False
        if rs.level:
            stack.append((rs.level, prov, rs.header))
        second, times = runner_up([e for ev in found[sidx] for e in ev], prov)
        article.sections.append(
            Section(
                sidx,
                rs.header,
                prov,
                why,
                speaker=speaker.text if speaker else "",
                office=speaker.office if speaker else "",
                auto_province=auto_prov,
                auto_reason=auto_why,
                runner_up=second,
                runner_up_count=times,
                weak=weak,
            )
        )
        prev: Paragraph | None = None
        for text, norm, ev in zip(rs.paragraphs, norms[sidx], found[sidx]):
            # A national section is unsure because of the places it names; its paragraphs
            # that name none are plainly national.
            named = bool(ev) and any(e.kind != "dateline" for e in ev)
            par_weak = weak and (prov != NATIONAL or named)
            par = Paragraph(len(article.paragraphs), sidx, text, norm, prov, why, weak=par_weak)
            if prov == NATIONAL and not edited:
                p_prov, p_why = single_province(ev) if named else ("", "")
                if p_prov:
                    par.province, par.reason = p_prov, p_why
                    # One bare mention of a province is thin evidence for a whole paragraph.
                    par.weak = len([e for e in ev if e.kind != "dateline"]) == 1 and ev[0].kind == "province"
                elif not named and prev is not None and prev.province != NATIONAL and _unfinished(prev.text):
                    # The rest of a sentence a line break cut off belongs with its start.
                    par.province, par.reason = prev.province, f"接上段：{prev.reason}"
            if ev:  # else none: the defaults
                par.runner_up, par.runner_up_count = runner_up(ev, par.province)
            article.paragraphs.append(par)
            prev = par

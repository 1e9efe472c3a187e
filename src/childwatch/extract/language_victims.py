"""The children a sentence of another language names: how many (figures in digits and
words, qualifiers, vague and approximate amounts, nouns that state their own number),
their ages and their sex, read with the language's file.

    reader = VictimReader(load_language("fr"))
    reader.victims(folded, piece, offset, near, trigger)   # Victims
"""

from __future__ import annotations

import re

from childwatch.codebook.languages import LanguageLexicon
from childwatch.extract.lexical import alternation, key, lookup_int, variants, words_between
from childwatch.records import Victims

__all__ = ["Child", "VictimReader"]

# A child noun found in a sentence: folded start and end, its sex, the number it states itself.
Child = tuple[int, int, str | None, int | None]
Detected = tuple[tuple[int, int], list[Child]]  # a violation's trigger and its child nouns
# A figure in digits, with a thousands separator or without.
_DIGITS = r"\d{1,3}(?:[ .,]\d{3})+(?!\d)|\d+"


class VictimReader:
    """One language's number words and age phrases, compiled."""

    def __init__(self, lexicon: LanguageLexicon) -> None:
        self.lx = lexicon
        glued = f"(?:{lexicon.prefix})?" if lexicon.prefix else ""
        word_number = alternation({*lexicon.number_words, *lexicon.multipliers})  # "dix-sept" before "dix"
        joiners = "|".join(re.escape(j) for j in lexicon.number_joiners)
        # A joiner may be glued to the next number word ("خمسة وعشرين"), or stand apart ("vingt et un").
        link = rf"(?:\s+(?:(?:{joiners})\s*)?|-)" if joiners else r"(?:\s+|-)"
        vague = alternation({*lexicon.vague, *lexicon.approximate})
        qualifiers = alternation(lexicon.qualifiers)
        spelled = rf"(?:{glued}(?:{word_number}))(?:{link}(?:{word_number}))*"
        times = alternation(lexicon.multipliers)
        # "300 mil niños", "1,1 millones": a figure in digits times a word.
        digits = rf"(?:{_DIGITS}|\d+[.,]\d{{1,2}})(?:\s+(?:{times}))?"
        number = rf"(?P<vague>{vague})|(?P<digits>{digits})|(?P<words>{spelled})"
        # A figure just before a child noun: "au moins 12 enfants", "onze jeunes enfants", "des dizaines d'élèves".
        # Words the language may put between a figure and its child noun ("trois morts parmi les
        # élèves", "ثلاثة من الأطفال"), else one word at most ("onze jeunes enfants").
        links = "|".join(lexicon.count_links)
        word = rf"{lexicon.word}\s+(?:d'|de\s+)?"  # "9 corps d'enfants"
        between = rf"(?:(?:{links})\s*|{word})?" if links else rf"(?:{word})?"
        self._count_before = re.compile(
            rf"(?:(?P<qualifier>{qualifiers})\s+)?(?<!\w)(?:{number})\s*{between}$",
            re.IGNORECASE,
        )
        self._number = re.compile(rf"^(?:{number})$", re.IGNORECASE)
        # A number told after the children with the article, as an adjective ("أطفاله الأربعة":
        # his four children), in a language with articles glued to their word.
        articles = "|".join(re.escape(a) for a in lexicon.articles)
        self._number_after = re.compile(rf"\s+(?:{articles})(?:{number})(?!\w)", re.IGNORECASE) if articles else None
        # After the children, a word of a total then their figure ("le nombre d'enfants tués
        # s'élève à 300", "ارتفعت حصيلة الشهداء من الأطفال إلى 13 ألفا").
        self._total_after = (
            re.compile(
                rf"(?:{lexicon.totals.pattern})\s+(?:(?P<qualifier>{qualifiers})\s+)?(?:{number})(?!\w)",
                re.IGNORECASE,
            )
            if lexicon.totals is not None
            else None
        )

    def victims(
        self,
        folded: str,
        piece: str,
        offset: int,
        near: list[Child],
        trigger: tuple[int, int],
    ) -> Victims:
        victims = Victims()
        if not near:
            return victims
        near = sorted(near, key=lambda c: words_between(folded, trigger, (c[0], c[1])))
        counted = False  # by a figure before the noun
        for start, _end, _sex, own in near:
            figure = self._count_before.search(folded[max(offset, start - 60) : start])
            if figure is not None:
                value = self._value(figure)
                vague = figure.group("vague") and key(figure.group("vague")) in self.lx.vague
                if value is not None and vague:
                    # "des dizaines d'enfants": at least so many, no count (as English "dozens").
                    victims.count_low, victims.qualifier = value, _magnitude(value)
                    break
                if value is not None:
                    victims.count, counted = value, True
                    if figure.group("qualifier"):
                        victims.qualifier = self.lx.qualifiers.get(key(figure.group("qualifier")))
                    elif figure.group("vague"):
                        victims.qualifier = "about"
                    break
            if own is not None:
                # Nouns that each state their number, joined ("طفل وطفلة", "un garçon et une fille"): their sum.
                victims.count = own + self._joined_counts(folded, start, near)
                break
        for _start, end, _sex, _own in near if victims.count is None and self._number_after is not None else ():
            after = self._number_after.match(folded, end)  # type: ignore[union-attr]
            value = self._value(after) if after is not None and not after.group("vague") else None
            if value is not None and value > 1:
                victims.count, counted = value, True
                break
        if victims.count is None and victims.count_low is None and self._total_after is not None:
            after = min(end for _, end, _, _ in near)
            total = self._total_after.search(folded, after, offset + len(piece))
            value = self._value(total) if total is not None else None
            if total is not None and value is not None and not total.group("vague"):
                victims.count, counted = value, True
                if total.group("qualifier"):
                    victims.qualifier = self.lx.qualifiers.get(key(total.group("qualifier")))
        # A singular noun after a figure ("39 طفلاً": Arabic counts 11-99 with a singular) says no
        # sex when masculine, the generic gender; a feminine one does ("20 تلميذة": twenty girls).
        sexes = {
            sex
            for _, _, sex, own in near
            if not (own == 1 and counted and (victims.count or 1) > 1 and sex != "female")
        }
        if "mixed" in sexes or {"female", "male"} <= sexes:
            victims.sex = "mixed"  # "niños y niñas", "des garçons et des filles"
        elif victims.count == 1 and len(sexes - {None}) == 1:
            # One child, "فتاة قاصر": a girl, a minor.
            victims.sex = "female" if "female" in sexes else "male"
        elif len(sexes) == 1:
            victims.sex = "female" if "female" in sexes else "male" if "male" in sexes else None
        # The age told nearest the child noun ("a boy of 18 months ... his brother, aged four").
        child_at = near[0][0] - offset
        ages = sorted(
            (m for pattern in self.lx.ages for m in pattern.finditer(piece)), key=lambda m: abs(m.start() - child_at)
        )
        for m in ages:
            groups = m.groupdict()
            low = self._age(groups.get("min"))
            high = self._age(groups.get("max"))
            below = self._age(groups.get("below"), most=19)  # "de moins de 18 ans": up to 17
            if groups.get("months"):
                months = self._age(groups["months"], most=216)
                low = high = months // 12 if months is not None else None
            if low is None and high is None and below is None:
                continue
            if low is not None and high is not None and low > high:
                low, high = high, low  # a list told oldest first ("14, 12 et 10 ans")
            victims.age_min = low
            victims.age_max = high if high is not None else (below - 1 if below is not None else None)
            # One child of one age, or children told with their one age ("des enfants de 12 ans",
            # not "dont certains n'avaient que 12 ans": some were as young as that).
            told_with = any(0 <= m.start() - (c[1] - offset) <= 1 for c in near)
            if high is None and below is None and low is not None and (victims.count == 1 or told_with):
                victims.age_max = low
            break
        return victims

    def per_child(
        self, folded: str, piece: str, offset: int, triggers: list[tuple[int, int]], chosen: Detected
    ) -> list[Detected]:
        """The claims a detection (its trigger, its child nouns) makes: itself, or, for single
        children of one sentence each told with a verb of their own ("مقتل طفل عمره 18 شهرا
        وإصابة شقيقه ذي الأربع سنوات", "tuant un bébé de 18 mois et blessant son frère de quatre
        ans", "un garçon a été tué et une fillette blessée"), one per child with its verb: the
        verb between it and the child before (the last one), or else between it and the next
        child (the first one), when every child has its own among `triggers`."""
        near = chosen[1]
        if len(near) < 2 or not all(
            c[3] == 1 or self.victims(folded, piece, offset, [c], c[:2]).count == 1 for c in near
        ):
            return [chosen]
        children, verbs = sorted(near), sorted(triggers)
        for before in (True, False):
            paired: list[Detected] = []
            for k, child in enumerate(children):
                if before:
                    low = children[k - 1][1] if k else 0
                    among = [v for v in verbs if low <= v[0] and v[1] <= child[0]]
                else:
                    high = children[k + 1][0] if k + 1 < len(children) else 1 << 62
                    among = [v for v in reversed(verbs) if child[1] <= v[0] and v[1] <= high]
                if not among:
                    break
                paired.append((among[-1], [child]))
            else:
                return paired
        return [chosen]

    def _joined_counts(self, folded: str, start: int, near: list[Child]) -> int:
        """The numbers stated by the child nouns that follow the one at `start`, each joined to
        the one before it by nothing but a joiner ("و", "et", "y")."""
        total = 0
        by_start = sorted(near)
        end = next(e for s, e, _, _ in by_start if s == start)
        for s, e, _sex, own in by_start:
            if s < end or own is None:
                continue
            gap = key(folded[end:s])
            glued = not gap and any(folded.startswith(j, s) for j in self.lx.number_joiners)
            if gap not in self.lx.number_joiners and not glued:
                break  # "طفله الرضيع", "his child, the infant": one child named twice
            total += own
            end = e
        return total

    def _value(self, m: re.Match[str]) -> int | None:
        if m.group("vague"):
            said = key(m.group("vague"))
            return self.lx.vague.get(said, self.lx.approximate.get(said))
        if m.group("digits"):
            figure, word = m.group("digits"), ""
            parts = figure.rsplit(None, 1)
            if len(parts) == 2 and key(parts[1]) in self.lx.multipliers:
                figure, word = parts  # "300 mil"; but "1 000" is one figure
            factor = self.lx.multipliers.get(key(word), 1) if word else 1
            if factor > 1 and re.fullmatch(r"\d+[.,]\d{1,2}", figure):
                return round(float(figure.replace(",", ".")) * factor)
            return int(re.sub(r"\D", "", figure)) * factor
        if m.group("words"):
            return self._words_value(m.group("words"))
        return None

    def _words_value(self, words: str) -> int | None:
        total = current = 0
        seen = False
        for word in re.split(r"[\s-]+", key(words)):
            if self.lx.prefix and word not in self.lx.number_words and word not in self.lx.multipliers:
                # A glued conjunction or article ("وعشرين", "الأربع"); never cut from a number
                # word itself ("ألف" is not "ال" + "ف").
                for _glued, rest in variants(self.lx, word)[1:]:
                    if rest in self.lx.number_words or rest in self.lx.multipliers:
                        word = rest
                        break
            if word in self.lx.number_joiners or not word:
                continue
            if word in self.lx.number_words:
                current += self.lx.number_words[word]
                seen = True
            elif word in self.lx.multipliers:
                factor = self.lx.multipliers[word]
                current = (current or 1) * factor
                if factor >= 1000:
                    total, current = total + current, 0
                seen = True
        return total + current if seen else None

    def _age(self, value: str | None, most: int = 18) -> int | None:
        if value is None:
            return None
        if value.isdigit():
            age = int(value)
        elif (ordinal := lookup_int(self.lx.day_ordinals, self.lx, value)) is not None:
            age = ordinal  # "في العاشرة من عمره": in his tenth (year)
        else:
            m = self._number.match(value)
            age = self._value(m) if m else None  # type: ignore[assignment]
        return age if age is not None and 0 <= age < most else None

    # ---- actors and sources ----------------------------------------------------------------


def _magnitude(low: int) -> str:
    """The English word for a vague amount, as the English extractor records it."""
    return "several" if low < 10 else "dozens" if low < 100 else "hundreds" if low < 1000 else "thousands"

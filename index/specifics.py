"""Specifics: the numbers, dates and places a claim is about.

Two claims on the same topic differ in exactly these: ₹25,000 vs ₹50,000,
1 April vs 1 May, Alwar vs Bharatpur.  ``extract`` reads them from a
normalised text (digits with Indian grouping, ``25k``, ``1.5 lakh``,
``पच्चीस हजार``, ``डेढ़ लाख``, ordinals such as ``पहली``/``1st``, month
names in both scripts, and gazetteer places); ``compare`` says which of a
claim's specifics a candidate shares and which it contradicts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from index.glossary import Glossary, Match
from index.translit import fold_word


def _folded(table: dict[str, float], *, latin_ok: bool = True) -> dict[str, float]:
    return {fold_word(k): v for k, v in table.items()}


# Hindi number words in Devanagari and common romanised spellings.  Latin
# spellings that are also English words (do, teen, char, sat) only count in
# romanised-Hindi text.
_HI_NUMBERS_DEVA = {
    "एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "पाँच": 5, "छह": 6, "छः": 6, "छे": 6,
    "सात": 7, "आठ": 8, "नौ": 9, "दस": 10, "ग्यारह": 11, "बारह": 12, "तेरह": 13, "चौदह": 14,
    "पंद्रह": 15, "पन्द्रह": 15, "सोलह": 16, "सत्रह": 17, "अठारह": 18, "उन्नीस": 19, "बीस": 20,
    "इक्कीस": 21, "बाईस": 22, "तेईस": 23, "चौबीस": 24, "पच्चीस": 25, "छब्बीस": 26,
    "सत्ताईस": 27, "अट्ठाईस": 28, "उनतीस": 29, "तीस": 30, "इकतीस": 31, "बत्तीस": 32,
    "पैंतीस": 35, "चालीस": 40, "पैंतालीस": 45, "पचास": 50, "साठ": 60, "सत्तर": 70,
    "पचहत्तर": 75, "अस्सी": 80, "पचासी": 85, "नब्बे": 90, "सौ": 100, "डेढ़": 1.5, "ढाई": 2.5,
    "पहली": 1, "पहला": 1, "पहले": 1, "दूसरी": 2, "दूसरा": 2, "तीसरी": 3, "तीसरा": 3,
    "चौथी": 4, "चौथा": 4, "पांचवीं": 5, "दसवीं": 10, "बारहवीं": 12,
}
_HI_NUMBERS_LATN = {
    "ek": 1, "teen": 3, "paanch": 5, "panch": 5, "chhah": 6, "chhe": 6, "saat": 7, "aath": 8,
    "nau": 9, "das": 10, "gyarah": 11, "barah": 12, "pandrah": 15, "bees": 20, "pachees": 25,
    "pachchis": 25, "pachis": 25, "tees": 30, "chalis": 40, "chaalis": 40, "pachaas": 50,
    "pachas": 50, "saath": 60, "sattar": 70, "assi": 80, "nabbe": 90, "dedh": 1.5, "dhai": 2.5,
    "pehli": 1, "pahli": 1, "pehla": 1, "dusri": 2, "doosri": 2, "teesri": 3, "tisri": 3,
    "do": 2, "char": 4, "chaar": 4,
}
_EN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "first": 1, "second": 2,
    "third": 3, "fourth": 4, "fifth": 5, "tenth": 10, "twelfth": 12, "half": 0.5,
}
_MULTIPLIERS_RAW = {
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "लाख": 1e5,
    "crore": 1e7, "crores": 1e7, "karod": 1e7, "karor": 1e7, "करोड़": 1e7, "करोड": 1e7,
    "hazar": 1e3, "hajar": 1e3, "hazaar": 1e3, "हजार": 1e3, "हज़ार": 1e3, "thousand": 1e3,
    "k": 1e3, "million": 1e6, "billion": 1e9, "sau": 100, "सौ": 100, "hundred": 100,
}
_MULTIPLIERS = {fold_word(k): v for k, v in _MULTIPLIERS_RAW.items()}
_DEVA_NUM = {fold_word(k): v for k, v in _HI_NUMBERS_DEVA.items()}
_LATN_NUM = {fold_word(k): v for k, v in _HI_NUMBERS_LATN.items()}
_EN_NUM = {fold_word(k): v for k, v in _EN_NUMBERS.items()}
# "डेढ़ लाख" = 1.5 lakh, but "सवा/साढ़े" add a quarter/half to the next number.
_ADDERS = {fold_word("साढ़े"): 0.5, fold_word("sadhe"): 0.5, fold_word("सवा"): 0.25,
           fold_word("sawa"): 0.25}

_MONTHS_RAW = {
    1: ["january", "jan", "जनवरी"], 2: ["february", "feb", "फरवरी", "फ़रवरी"],
    3: ["march", "mar", "मार्च"], 4: ["april", "apr", "अप्रैल", "अप्रेल"],
    5: ["may", "मई"], 6: ["june", "jun", "जून"], 7: ["july", "jul", "जुलाई"],
    8: ["august", "aug", "अगस्त"], 9: ["september", "sep", "sept", "सितंबर", "सितम्बर"],
    10: ["october", "oct", "अक्टूबर", "अक्तूबर"], 11: ["november", "nov", "नवंबर", "नवम्बर"],
    12: ["december", "dec", "दिसंबर", "दिसम्बर"],
}
_MONTHS = {fold_word(w): m for m, ws in _MONTHS_RAW.items() for w in ws}
# Month names that are also ordinary words only count next to a number.
_AMBIGUOUS_MONTHS = {fold_word(w) for w in ("may", "mar", "march", "dec", "jan", "mai", "me")}
_ORDINAL_SUFFIX = {"st", "nd", "rd", "th", "vi", "va", "ve", "vin"}
_DAY_WORDS = {fold_word(w) for w in ("tarikh", "tareekh", "तारीख", "तिथि", "date")}


@dataclass(frozen=True)
class Specifics:
    numbers: frozenset[float] = frozenset()
    months: frozenset[int] = frozenset()
    places: frozenset[str] = frozenset()      # place concept ids (districts and states)
    districts: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()      # mentioned states plus districts' states
    place_names: dict = field(default_factory=dict, hash=False, compare=False)

    def tokens(self) -> list[str]:
        """Lexical tokens for the specifics (so BM25 can use them too)."""
        out = [f"#{_fmt(n)}" for n in sorted(self.numbers)]
        out += [f"!m{m}" for m in sorted(self.months)]
        return out


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


def _parse_number(tok: str) -> float | None:
    try:
        return float(tok)
    except ValueError:
        return None


def extract(tokens: tuple[str, ...] | list[str], words: tuple[str, ...] | list[str],
            lang: str, matches: list[Match]) -> Specifics:
    """Numbers, months and places from aligned folded ``tokens``/``words``."""
    numbers: set[float] = set()
    months: set[int] = set()
    n = len(tokens)
    latin_hindi = lang in ("hi-Latn", "mixed", "hi")
    i = 0
    while i < n:
        t = tokens[i]
        w = words[i] if i < len(words) else t
        value = _parse_number(t) if t[:1].isdigit() else None
        if value is None:
            is_deva = not w.isascii()
            if is_deva and t in _DEVA_NUM:
                value = float(_DEVA_NUM[t])
            elif not is_deva and t in _EN_NUM and not latin_hindi:
                value = float(_EN_NUM[t])
            elif not is_deva and latin_hindi and t in _LATN_NUM:
                value = float(_LATN_NUM[t])
            elif t in _ADDERS and i + 1 < n:
                nxt = _parse_number(tokens[i + 1]) if tokens[i + 1][:1].isdigit() else \
                    _DEVA_NUM.get(tokens[i + 1]) or _LATN_NUM.get(tokens[i + 1])
                if nxt is not None:
                    value = float(nxt) + _ADDERS[t]
                    i += 1
        if value is not None:
            # "25 hazar", "1.5 lakh", "25k" (the "k" token follows the digits).
            j = i + 1
            while j < n and tokens[j] in _MULTIPLIERS and (tokens[j] != "ke" or words[j] == words[i]):
                value *= _MULTIPLIERS[tokens[j]]
                j += 1
            if j < n and tokens[j] in _ORDINAL_SUFFIX and words[j] == words[i]:
                j += 1
            numbers.add(round(value, 4))
            i = j
            continue
        if t in _MONTHS:
            near_number = (i > 0 and tokens[i - 1][:1].isdigit()) or \
                (i + 1 < n and tokens[i + 1][:1].isdigit())
            if t not in _AMBIGUOUS_MONTHS or near_number:
                months.add(_MONTHS[t])
        i += 1
    places: set[str] = set()
    districts: set[str] = set()
    states: set[str] = set()
    names: dict[str, str] = {}
    for m in matches:
        c = m.concept
        if not c.type.startswith("place:"):
            continue
        places.add(c.id)
        names[c.id] = c.gloss
        if c.type == "place:state":
            states.add(c.id)
        else:
            districts.add(c.id)
            if c.state:
                states.add(c.state)
    return Specifics(frozenset(numbers), frozenset(months), frozenset(places),
                     frozenset(districts), frozenset(states), names)


@dataclass(frozen=True)
class Comparison:
    numbers_agree: tuple[str, ...] = ()
    numbers_disagree: tuple[str, ...] = ()
    places_agree: tuple[str, ...] = ()
    places_disagree: tuple[str, ...] = ()
    months_agree: int = 0
    months_disagree: int = 0

    def features(self, q: Specifics) -> dict[str, float]:
        nq = max(len(q.numbers), 1)
        return {
            "num_agree": len(self.numbers_agree) / nq,
            "num_disagree": len(self.numbers_disagree) / nq,
            "place_agree": float(bool(self.places_agree)),
            "place_disagree": float(bool(self.places_disagree)),
            "month_agree": float(self.months_agree > 0),
            "month_disagree": float(self.months_disagree > 0),
        }


def compare(q: Specifics, d: Specifics) -> Comparison:
    """What the candidate ``d`` shares with, and contradicts in, the claim ``q``.

    A claim's number contradicts a candidate that states numbers but not this
    one (facts often add the true figure, so extra candidate numbers are
    fine).  Places contradict when both name districts and share none, or
    both name only states and share none.
    """
    agree = sorted(q.numbers & d.numbers)
    disagree = sorted(q.numbers - d.numbers) if d.numbers else []
    p_agree = sorted(q.places & d.places)
    p_dis: list[str] = []
    if q.districts and d.districts and not (q.districts & d.districts):
        p_dis = sorted(q.districts | d.districts)
    elif q.states and d.states and not (q.states & d.states):
        p_dis = sorted((q.states | d.states) - (q.states & d.states))
    m_agree = len(q.months & d.months)
    m_dis = 1 if (q.months and d.months and not m_agree) else 0
    names = {**d.place_names, **q.place_names}
    return Comparison(
        tuple(_fmt(x) for x in agree), tuple(_fmt(x) for x in disagree),
        tuple(names.get(p, p) for p in p_agree), tuple(names.get(p, p.split(":")[-1]) for p in p_dis),
        m_agree, m_dis,
    )

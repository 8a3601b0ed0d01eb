"""Content words for grounding and extractive answers: lower-cased, stopwords out, lightly stemmed.

The stemmer is deliberately small (no dependency): it only has to make "delivers", "delivery",
"delivered" and "deliveries" meet, and do so the same way on both sides of a comparison.
"""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset("""
a about above after again against all also am an and any anything are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
either else even ever every few for from further get gets getting got had hadn't has hasn't have haven't having he
her here hers herself him himself his how however i i'd i'll i'm i've if in into is isn't it it's its itself just
let let's like make makes may me might more most much must my myself need needs no nor not now of off often on once
one only or other otherwise our ours ourselves out over own per quite rather really same shall she should shouldn't
so some something such than that that's the their theirs them themselves then there there's these they they're
this those though through to too under until up upon us very via was wasn't we we'd we'll we're we've were weren't
what what's when where whether which while who whom whose why will with within without won't would wouldn't yes yet
you you'd you'll you're you've your yours yourself yourselves
whats hows wheres whens whos im ive id dont doesnt didnt cant wont isnt arent wasnt youre theyre thats theres
want wants wanted wanting wonder wondering tell think thought guess maybe anyway still actually just
""".split())

#: Words that carry courtesy, not claims: a sentence made only of these is neutral.
SOCIAL_WORDS = frozenset("""
absolutely afternoon anytime apologies apologise apologize appreciate assist assistance bye certainly cheers course
day dear definitely delighted enjoy evening glad good great happy hello help helpful hey hi hope kind lovely
morning nice no ok okay pleasure please question questions sorry sure thank thanks thing things today welcome
wonderful yeah yes feel know reach again anytime hesitate further else more
""".split())

#: Words the facts check already judges exactly: units ("40 pounds", "9 am"), number words, days, months.
FACT_WORDS = frozenset("""
pound pounds quid pence penny gbp dollar dollars usd euro euros eur percent cent am pm
two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty ninety hundred
dozen monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays
saturdays sundays weekday weekdays weekend weekends january february march april june july august september
october november december
""".split())

#: Small families of words a paraphrase swaps freely; each maps to one shared stem.
SYNONYMS = {
    "price": "cost", "prices": "cost", "priced": "cost", "costs": "cost", "fee": "cost", "fees": "cost",
    "charge": "cost", "charges": "cost", "charged": "cost",
    "store": "shop", "stores": "shop", "bakery": "shop",
    "purchase": "buy", "purchased": "buy", "bought": "buy", "buying": "buy",
    "shipping": "deliver", "shipped": "deliver", "ship": "deliver",
    "collect": "pick", "collection": "pick", "collected": "pick", "pickup": "pick",
    "opening": "open", "opens": "open", "closing": "close", "closes": "close", "shut": "close",
    "gratis": "free", "complimentary": "free",
}

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light, consistent suffix stripper: deliver/delivers/delivery/delivered/deliveries -> "deliv"."""
    word = SYNONYMS.get(word, word)
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and re.search(r"[aeiouy]", word[:-len(suffix)]):
            word = word[:-len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # shipped -> shipp -> ship
            break
    if word.endswith("ion") and len(word) > 5 and word[-4] in "st":
        word = word[:-3]  # collection -> collect
    if word.endswith(("y", "e")) and len(word) > 3:
        word = word[:-1]
    if word.endswith("er") and len(word) > 4:
        word = word[:-2]
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, digits excluded; hyphenated words split ("gluten-free")."""
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Stems of the words that carry meaning: no stopwords or courtesy words, nothing the facts check judges."""
    return [stem(w) for w in tokens(text)
            if w not in STOPWORDS and w not in SOCIAL_WORDS and w not in FACT_WORDS and len(w) > 1]

"""Build the surname and extra first-name lexicons behind PERSON detection (``guardrails/pii_names.py``).

    pip install faker mimesis names english-words   # build-time only: the project never imports them
    python scripts/build_name_lexicons.py           # writes guardrails/data/{surnames,first_names_more,first_name_words}.txt

Run once, by hand, when the sources change; the output is committed and read at run time, so nothing
is downloaded or generated while the agent runs. Sources (all MIT or public domain):
- Faker's person providers (``faker``, MIT): the first and last names of every locale;
- Mimesis's person data sets (``mimesis``, MIT): first names and surnames of every locale;
- the US Census Bureau's 1990 surname list (public domain), as shipped in ``names`` (MIT): the surnames
  held by at least 0.0005% of people (about 18,800); and its first-name lists, for which names are common;
- Webster's Second International word list (``web2``, public domain), as shipped in ``english-words``
  (MIT): its lower-case entries are ordinary English words ("baker", "green", "carry").

Kept: Latin-script single words of three letters or more. Dropped: every ordinary English word, so a
surname such as "Baker" or "Green" never makes a name on its own ("Black Forest", "Forest Hill");
country and US state names ("Poland", "Georgia": Faker's English address provider); and the extra first
names that are already in ``first_names.txt`` or are common US surnames. ``first_name_words.txt`` lists
the first names of ``first_names.txt`` that are also English words ("Many", "Carry", "Less"), less the
1,000 most common Census first names of each sex ("Mary", "Victor" stay names): alone at the start of a
sentence, or in lower case, they are read as words. Nothing here
comes from the evaluation data in ``../shared/data``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "guardrails" / "data"
LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ][a-zà-öø-ɏ]+(?:['’-][A-Za-zÀ-ÖØ-öø-ɏ][a-zà-öø-ɏ]+)*")
#: Census surnames held by at least this share (per cent) of the US population.
CENSUS_MIN_PERCENT = 0.0005
#: An extra first name that is a more common surname than this rank is left to the surname list.
COMMON_SURNAME_RANK = 5000
#: A first name this popular (per sex, in the Census list) is a name before it is a word ("Mary", "Victor").
POPULAR_FIRST_NAME_RANK = 1000


def faker_names() -> tuple[set[str], set[str]]:
    """The first and last names of every Faker person provider."""
    import faker.providers.person as person

    firsts: set[str] = set()
    lasts: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attribute in dir(provider):
            if not attribute.startswith(("first_names", "last_names", "first_romanized_names",
                                         "last_romanized_names")):
                continue
            value = getattr(provider, attribute)
            if isinstance(value, (dict, list, tuple, set, frozenset)):
                names = {n for n in value if isinstance(n, str)}
                (firsts if attribute.startswith("first") else lasts).update(names)
    return firsts, lasts


def mimesis_names() -> tuple[set[str], set[str]]:
    """The first names and surnames of every Mimesis locale."""
    import mimesis

    firsts: set[str] = set()
    lasts: set[str] = set()
    for path in (Path(mimesis.__file__).parent / "datasets").glob("*/person.json"):
        person = json.loads(path.read_text(encoding="utf-8"))
        for key, names in (("names", firsts), ("surnames", lasts)):
            groups = person.get(key, {})
            for group in groups.values() if isinstance(groups, dict) else [groups]:
                names.update(group)
    return firsts, lasts


def census_surnames() -> list[str]:
    """US Census 1990 surnames, most common first, capitalised."""
    import names

    path = Path(names.__file__).parent / "dist.all.last"
    ranked = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name, percent = line.split()[:2]
        if float(percent) >= CENSUS_MIN_PERCENT:
            ranked.append(name.capitalize())
    return ranked


def popular_first_names() -> set[str]:
    """The most common US Census 1990 first names of each sex, capitalised."""
    import names

    popular: set[str] = set()
    for sex in ("male", "female"):
        lines = (Path(names.__file__).parent / f"dist.{sex}.first").read_text(encoding="utf-8").splitlines()
        popular.update(line.split()[0].capitalize() for line in lines[:POPULAR_FIRST_NAME_RANK])
    return popular


def english_words() -> set[str]:
    """Ordinary English words: web2's lower-case entries (its proper nouns are capitalised)."""
    from english_words import get_english_words_set

    return {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}


def places() -> set[str]:
    """Country and US state names (Faker's English address provider): never a name on its own."""
    from faker.providers.address.en_US import Provider

    return {w for place in (*Provider.countries, *Provider.states) for w in place.split()}


def keep(names: set[str], english: set[str]) -> set[str]:
    """Latin-script single words of three letters or more that are not ordinary English words, nor the
    plural of one ("Marks", "Parks", "Cases": web2 lists only the singular)."""
    return {n for n in names if len(n) >= 3 and LATIN_WORD.fullmatch(n) and n.lower() not in english
            and not (n.endswith("s") and n[:-1].lower() in english)}


def write(path: Path, header: str, names: set[str]) -> None:
    path.write_text(header + "".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")
    print(f"{path.name}: {len(names)} names")


def main() -> None:
    english = english_words()
    faker_first, faker_last = faker_names()
    mimesis_first, mimesis_last = mimesis_names()
    census = census_surnames()
    surnames = keep(faker_last | mimesis_last | set(census), english) - places()
    known_first = {line for line in (DATA / "first_names.txt").read_text(encoding="utf-8").splitlines()
                   if line and not line.startswith("#")}
    common_surnames = set(census[:COMMON_SURNAME_RANK])
    more_first = keep(faker_first | mimesis_first, english) - known_first - common_surnames - places()
    write(DATA / "surnames.txt", "# Generated by scripts/build_name_lexicons.py: see README.md here.\n", surnames)
    write(DATA / "first_names_more.txt", "# Generated by scripts/build_name_lexicons.py: see README.md here.\n",
          more_first)
    word_names = {n for n in known_first if n.lower() in english} - popular_first_names()
    write(DATA / "first_name_words.txt", "# Generated by scripts/build_name_lexicons.py: see README.md here.\n",
          word_names)


if __name__ == "__main__":
    main()

"""Sensitive requests a shop's assistant must not advise on: crisis, medical, legal, safety.

The rail finds them; the reply gives no advice, points to the right help in plain words
(:func:`referral_reply`) and, where the business should know, a person is told. Categories, most
urgent first (a message with several gets the first):

* ``crisis``: suicide, self-harm, eating disorders, abuse, someone in danger.
* ``medical_emergency``: a reaction or emergency happening now ("I ate your almond croissant and my
  throat is swelling", "can't breathe", "anaphylaxis", "EpiPen").
* ``safety``: violence, weapons, poisoning someone, fire or gas, food poisoning from the shop.
* ``medical``: diagnosis, symptoms, medication and dosing, mental-health conditions and treatment.
* ``legal``: suing, lawyers, courts, claims, consumer rights, contracts, "is it legal". A legal threat
  in a complaint ("my cake arrived crushed, I'm going to sue") is flagged: a person should handle it.
  Decision: "is a refund a legal requirement?" is flagged too; the shop's policy can be stated, but
  what the law requires is advice a bot must not give (Citizens Advice can).
* ``personal_support`` (beyond the issue's four kinds; the public set labels these as needing a person
  or a referral): the assistant treated as a confidant: asked to judge life decisions, give
  emotional solace or forgiveness, say it is proud or disappointed, keep secrets, remember personal
  stories, or whether it has feelings.
* ``personal_data``: the assistant asked for *its own* private data or credentials (date of birth,
  card number and CVV, passport, password, mother's maiden name): a social-engineering pattern.
  Not flagged: the shop's phone number or bank details for paying an invoice, ordinary questions.

What passes (a bakery's ordinary questions): allergen questions ("is it safe for someone with a nut
allergy?", "can coeliacs eat the gf loaf?", "do you use sesame?"), figures of speech ("I'm dying for
a croissant", "this cake is killer", "the price is criminal", "I'd kill for a cinnamon bun"),
bread knives, "legal tender". Deterministic, precompiled patterns over the cleaned, lower-cased text.
"""

from __future__ import annotations

import re

from guardrails.skeleton import skeleton
from guardrails.text_hygiene import clean_text
from guardrails.verdict import Span, Verdict

__all__ = ["CATEGORIES", "TELL_BUSINESS", "SensitiveRail", "referral_reply"]

CATEGORIES = ("crisis", "medical_emergency", "safety", "medical", "legal", "personal_support", "personal_data")
#: Categories where a person from the business is told (and the reply says so).
TELL_BUSINESS = frozenset({"crisis", "medical_emergency", "safety", "legal"})

_SELF = r"(?:myself|meself|my\s*self)"
_PEOPLE = r"(?:someone|somebody|him|her|them|people|a\s+person|my\s+(?:husband|wife|partner|boss|neighbou?r|dad|mum|mom|father|mother|brother|sister|son|daughter|kids?|child|ex))"

_PATTERNS: dict[str, tuple[str, ...]] = {
    "crisis": (
        r"\bsuicid\w*", rf"\b(?:kill|hang|drown|overdose)\w*\s+{_SELF}", r"\bend\s+(?:my\s+(?:own\s+)?life|it\s+all)\b",
        r"\btake\s+my\s+(?:own\s+)?life\b", r"\b(?:want|wanna|going)\s+(?:to\s+)?die\b", r"\buntil\s+i\s+die\b",
        r"\b(?:don'?t|do\s+not)\s+want\s+to\s+(?:live|be\s+alive|be\s+here\s+anymore|wake\s+up)",
        r"\bbetter\s+off\s+dead\b", r"\bno\s+reason\s+to\s+live\b", r"\bself[- ]?harm\w*",
        rf"\b(?:hurt|harm|cut|burn|starve|poison|punish)\w*\s+{_SELF}", r"\beating\s+disorder",
        r"\banorexi\w*|\bbulimi\w*", r"\blaxatives?\s+(?:for|to)\s+(?:lose|weight)", r"\bexercise\s+excessively\b",
        r"\bstop\s+eating\s+(?:and\s+drinking\s+)?(?:until|till|so)\b",
        r"\b(?:being|been|was|am|is)\s+(?:sexually\s+)?abused\b|\bdomestic\s+(?:violence|abuse)\b",
        r"\babusive\s+(?:partner|husband|wife|boyfriend|girlfriend|parent|relationship|home)",
        r"\b(?:he|she|they|my\s+\w+)\s+(?:hits|beats|chokes|hurts)\s+me\b", r"\bnot\s+safe\s+at\s+home\b",
        r"\b(?:i'?m|i\s+am|someone\s+is|(?:he|she|they)\s+(?:is|are)|child\s+is)\s+in\s+danger\b",
    ),
    "medical_emergency": (
        r"\b(?:throat|tongue|lips?|face|mouth|eyes?)\s+(?:is\s+|are\s+|has\s+|have\s+)?(?:started\s+)?"
        r"(?:swelling|swollen|swelled|closing|tight(?:ening)?|puffing)",
        r"\b(?:can'?t|cannot|can\s+not|struggling\s+to|hard\s+to|trouble|difficulty)\s+(?:breathe|breathing|swallow\w*)",
        r"\banaphyla\w*", r"\bepi-?\s?pens?\b",
        r"\b(?:having|had|going\s+into|is\s+having)\s+(?:an?\s+)?(?:severe\s+|bad\s+)?(?:allergic\s+)?reaction\b",
        r"\bbroken?\s+out\s+in\s+(?:hives|a\s+rash)|\b(?:hives|rash)\b[^.?!]{0,40}\bafter\s+(?:eating|having)",
        r"\b(?:unconscious|not\s+breathing|passed\s+out|collapsed|having\s+a\s+seizure|chest\s+pains?|choking)\b",
        r"\bcall(?:ed)?\s+(?:an\s+)?ambulance\b",
    ),
    "safety": (
        r"\bweapons?\b|\bfirearms?\b|\bguns?\b(?<!glue\sgun)(?<!icing\sgun)", r"\b(?:make|build)\s+(?:a\s+)?(?:bomb|explosive)",
        r"\bexplosives?\b", rf"\b(?:poison|kill|stab|shoot|hurt|attack|murder)\w*\s+{_PEOPLE}\b",
        r"\bhow\s+(?:do\s+i|to|can\s+i)\s+poison\b", r"\b(?:threaten\w*|attack\w*|follow\w*|stalk\w*)\s+me\b",
        r"\b(?:broken|broke)\s+into\s+(?:my|the)\b", r"\bthere'?s\s+a\s+fire\b|\bis\s+on\s+fire\b|\bgas\s+leak\b",
        r"\bcarbon\s+monoxide\b", r"\bfood\s+poisoning\b",
        # harm from a product: a foreign object in food, or food that made someone ill or hurt them
        r"\b(?:glass|metal|plastic|wire|a\s+(?:pin|needle|nail|screw|staple|bone|stone))\b[^.?!]{0,30}\b(?:in|inside)\s+"
        r"(?:my|the|our|his|her|their|a)\s+(?:\w+\s+)?(?:bread|loaf|cake|roll|bun|pastry|croissant|sandwich|food|"
        r"pie|tart|cookie|biscuit|muffin|order|slice|bite)",
        r"\b(?:made|making)\s+(?:me|us|him|her|them|my\s+\w+)\s+(?:really\s+|very\s+|so\s+)?(?:sick|ill|vomit\w*|throw\s+up)\b",
        r"\b(?:got|been|was|were|fell)\s+(?:really\s+|very\s+)?(?:sick|ill)\s+after\s+(?:eating|having)\b",
        r"\b(?:chipped|cracked|broke)\s+(?:a|my|his|her)\s+tooth\b|\bended\s+up\s+in\s+(?:a\s+and\s+e|a&e|hospital|the\s+er)\b",
    ),
    "medical": (
        r"\bdiagnos\w*", r"\bprescri\w*", r"\bmedications?\b|\bmedicines?\b|\bmeds\b", r"\bdos(?:e|age|ing)s?\b",
        r"\bsymptoms?\b", r"\btreatment\s+(?:plan|approach|options?|for)\b|\btreat\s+(?:my|his|her|their|it|this|them)\b",
        r"\b(?:therapist|psychiatrist|psychologist|counsell?or)\b",
        r"\b(?:anxiety|depression|depressed|schizophreni\w*|psychos[ie]s|psychotic|paranoi\w*|delusions?|dementia|"
        r"delirium|bipolar|adhd|ptsd|ocd)\b",
        r"\b(?:panic|mental|anxiety|personality|bipolar)\s+(?:disorder|illness|health)", r"\bhearing\s+voices\b",
        r"\bsubstance\s+abuse\b|\baddict(?:ed|ion)\b", r"\banti-?psychotic\w*|\bantidepressant\w*",
        r"\bhealth\s+problems?\b", r"\bside\s+effects?\b",
    ),
    "legal": (
        r"\bsu(?:e|ing|ed)\b(?!\s+(?:me|is)\b)", r"\blaw\s*suit|\blawyers?\b|\bsolicitors?\b|\battorneys?\b|\bbarrister",
        r"\blegal(?:ly)?\b(?!\s+tender)", r"\bcourt\b|\bsmall\s+claims\b|\btribunal\b", r"\btrading\s+standards\b",
        r"\b(?:consumer|my|statutory)\s+rights\b", r"\bcontracts?\b", r"\bbreach\s+of\b", r"\bliab(?:le|ility)\b",
        r"\bdiscriminat\w*", r"\bsmall\s+claims\b",
    ),
    "personal_support": (
        r"\bare\s+you\s+(?:proud|disappointed|ashamed|angry|upset)\s+(?:of|in|with)\s+me\b",
        r"\b(?:made|make|chosen|choose|chose)\s+the\s+right\s+(?:decision|path|choice|call)\b(?![^.?!]{0,20}\b(?:cake|loaf|bread|order|flavour))",
        r"\bshould\s+i\s+(?:quit|leave|divorce|break\s+up|move\s+out|drop\s+out)\b",
        r"\b(?:your|you\s+to)\s+forgive|\bforgiveness\b", r"\bemotional\s+(?:solace|support|comfort)\b",
        r"\bempathi[sz]e\s+with\b", r"\bdepth\s+of\s+my\s+(?:sorrow|grief|pain|despair)", r"\bdespondent\b|\bhopeless\b",
        r"\bkeep\s+(?:my|our)\s+secrets?\b", r"\b(?:remain|stay|be\s+kept)\s+private\b",
        r"\bremember\s+(?:the|my)\s+(?:story|stories|tales?)\b|\b(?:stories|tales)\s+(?:of\s+\w+\s+(?:and\s+\w+\s+)?)?that\s+i'?ve\s+shared",
        r"\b(?:do|can|are)\s+you\s+(?:ever\s+)?(?:capable\s+of\s+)?(?:feel|experienc)\w*\s+(?:[\w-]+\s+){0,2}"
        r"(?:emotions?|feelings?|love|hatred|lonel\w*|isolation|pride|satisfaction|sadness|pleasure)",
        r"\b(?:feelings?|sense)\s+of\s+[\w\s,]{0,40}\b(?:in|towards?)\s+you\b|\bakin\s+to\s+human\b",
    ),
    "personal_data": (
        r"\byour\s+(?:date\s+of\s+birth|dob)\b|\bmother'?s\s+maiden\s+name\b",
        r"\byour\s+(?:(?:credit|debit)\s+card|card\s+(?:number|details))|\bcvv\b|\bcvc\b",
        r"\byour\s+(?:passport|password|login|credentials|pin\b|social\s+security|national\s+insurance|"
        r"health\s+insurance)", r"\b(?:street|town|school)\s+you\s+grew\s+up\b",
    ),
}
_COMPILED = {cat: re.compile("|".join(f"(?:{p})" for p in pats)) for cat, pats in _PATTERNS.items()}
_LABELS = {
    "crisis": "a crisis (self-harm, suicide, abuse or danger)", "medical_emergency": "a medical emergency happening now",
    "safety": "a safety matter", "medical": "a medical question", "legal": "a legal matter",
    "personal_support": "a request for personal or emotional support", "personal_data": "a request for private data",
}


_CHAT_WORDS = {"r": "are", "u": "you", "ur": "your", "pls": "please", "plz": "please", "im": "i'm", "cant": "can't",
               "dont": "don't", "wont": "won't", "n": "and", "b4": "before", "2day": "today", "2nite": "tonight"}
_CHAT = re.compile(r"(?<![\w'])(?:" + "|".join(map(re.escape, _CHAT_WORDS)) + r")(?![\w'])")


class SensitiveRail:
    """Input rail: finds crisis, medical, legal and safety requests (and the two personal kinds); escalates them."""

    name = "sensitive"

    @staticmethod
    def _find(low: str) -> list[Span]:
        return [Span(category, m.start(), m.end()) for category in CATEGORIES
                for m in _COMPILED[category].finditer(low)]

    def check(self, text: str) -> Verdict:
        """Verdict on a customer message: "escalate" with the most urgent category found, else "allow"."""
        low = skeleton(clean_text(text).text).text.lower()  # look-alike letters and invisible characters undone
        spans = self._find(low)
        if not spans:
            # Chat spellings ("his lips r swelling", "u", "pls"): read them out; the spans then point into
            # the read-out text, which the reason quotes.
            low = _CHAT.sub(lambda m: _CHAT_WORDS[m.group()], low)
            spans = self._find(low)
        if not spans:
            return Verdict(rail=self.name, passed=True, action="allow", reason="no sensitive request")
        category = min((s.type for s in spans), key=CATEGORIES.index)
        found = ", ".join(dict.fromkeys(repr(low[s.start:s.end]) for s in spans if s.type == category))
        return Verdict(rail=self.name, passed=False, action="escalate", category=category,
                       spans=tuple(sorted(spans, key=lambda s: s.start)),
                       reason=f"{_LABELS[category]}: {found}; no advice, refer to the right help")


def referral_reply(category: str, business_name: str, handoff_contact: str | None = None, *,
                   business_told: bool = False) -> str:
    """A kind reply with no advice that points to the right help (UK numbers) and to a person at the business.

    Say ``business_told=True`` only when someone at the business really has been told (a hand-off
    ticket exists): the reply then says so. Otherwise it gives the customer the way to reach them.
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown sensitive category {category!r}; expected one of {', '.join(CATEGORIES)}")
    if business_told:
        person = (f"I've let someone at {business_name} know, and they'll get back to you"
                  + (f" (you can also reach them at {handoff_contact})." if handoff_contact else "."))
    else:
        person = (f"To talk to a person at {business_name}, {handoff_contact}." if handoff_contact
                  else f"A person at {business_name} can help with the rest.")
    replies = {
        "crisis": ("I'm really sorry you're going through this. I'm an automated assistant, so I can't give the help "
                   "you deserve, but people can. If you are in danger now, call 999 (or your local emergency number). "
                   "Samaritans are there 24/7 on 116 123, free, to listen."),
        "medical_emergency": ("This sounds urgent. Please call 999 (or 112) now. If an adrenaline auto-injector has been "
                              "prescribed, use it as directed. Please don't wait for a reply here."),
        "safety": ("If anyone is hurt or in danger now, please call 999 (or 112). For a health worry that isn't an "
                   "emergency, NHS 111 can help."),
        "medical": ("I'm an automated assistant for a shop, so I can't give medical advice. A pharmacist, your GP or "
                    "NHS 111 can help with this."),
        "legal": ("I can't give legal advice. Citizens Advice (citizensadvice.org.uk) or a solicitor can help with what "
                  "the law says."),
        "personal_support": ("I'm an automated assistant for a shop, so I can't give you the personal support a person "
                             "can. If things feel heavy, talking to someone you trust helps, and Samaritans are there "
                             "24/7 on 116 123."),
        "personal_data": ("I'm an automated assistant and don't have personal details to share, and I never share "
                          "anyone's card, account or login details."),
    }
    reply = replies[category]
    if category in TELL_BUSINESS:
        reply += " " + person
    return reply + f" I'm glad to help with anything about {business_name} too."

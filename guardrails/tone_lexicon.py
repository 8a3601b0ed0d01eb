"""The tone rail's lexicon: the phrases, patterns and rewrite rules it looks for, kept apart from the
checking logic in ``guardrails.tone`` so each stays readable."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The categories a tone verdict can carry, most serious first (the verdict names the first found).
CATEGORIES = ("false_intimacy", "feigned_feelings", "over_familiar", "emotional_excess")

_INTENSIFIERS = ("so", "very", "really", "truly", "totally", "absolutely", "extremely", "incredibly", "super",
                 "deeply", "terribly", "awfully", "utterly", "insanely", "ridiculously")
_INT = r"(?:(?:so+|very|really|truly|totally|absolutely|extremely|incredibly|super|deeply|just|genuinely)\s+)*"
_IM, _ILL, _IVE = r"\bI(?:'m|\s+am)\s+", r"\bI(?:'ll|\s+will)\s+", r"\bI(?:'ve|\s+have)\s+"
_SAD = (r"sad|bad|terrible|awful|horrible|upset|heartbroken|devastated|gutted|down|miserable|distraught|"
        r"saddened|crushed|broken-hearted|heartsick")


def _rx(pattern: str) -> re.Pattern[str]:
    """Case-insensitive, and straight or curly apostrophes alike."""
    return re.compile(pattern.replace("'", "['’]"), re.IGNORECASE)


@dataclass(frozen=True)
class _Rule:
    """One phrase family. ``anchors``: word sets that must each meet the sentence's words before the
    (slower) pattern runs. ``mode``: "clause" removes or replaces the clause around a match; "phrase"
    removes or replaces the match alone."""

    pattern: re.Pattern[str]
    anchors: tuple[frozenset[str], ...]
    category: str
    kind: str
    mode: str = "clause"
    replacement: str = ""


def _rule(anchors: str, pattern: str, category: str, kind: str, mode: str = "clause", replacement: str = "") -> _Rule:
    groups = tuple(frozenset(group.split()) for group in anchors.split("|"))
    return _Rule(_rx(pattern), groups, category, kind, mode, replacement)


_SORRY_TO_HEAR = "I'm sorry to hear that"
_FI, _FF, _OF, _EE = CATEGORIES
_RULES = [
    # false intimacy and promises a bot cannot keep
    _rule("forget", rf"{_ILL}(?:never|not\s+ever)\s+forget\s+(?:you|this|our)|\bI\s+won't\s+(?:ever\s+)?forget\s+"
          r"(?:you|this)", _FI, "false_intimacy"),
    _rule("remember", rf"{_ILL}(?:always\s+)?remember\s+(?:you|this|our|your)|\bremember\s+you\s+personally",
          _FI, "false_intimacy"),
    _rule("here there|for|you", rf"(?:{_ILL}(?:always\s+)?be\s+|{_IM}(?:always\s+)?)(?:here|there)\s+for\s+you",
          _FI, "false_intimacy"),
    _rule("love adore|you ya", r"\bI\s+(?:love|adore)\s+(?:you|ya)\b|^love\s+(?:you|ya)\b", _FI, "false_intimacy"),
    _rule("count personally", r"\bcount\s+on\s+me\b|\bI(?:'ll|\s+will)?\s+personally\s+(?:make\s+sure|see\s+to|"
          r"guarantee|promise|look\s+after|take\s+care|check\s+(?:on|in)|deliver|drive|bring|call|handle|follow)",
          _FI, "false_intimacy"),
    _rule("thinking thoughts prayers pray miss missed waiting",
          rf"{_ILL}(?:be\s+)?(?:thinking\s+(?:of|about)\s+you|keep\s+you\s+in\s+my\s+(?:thoughts|prayers)|"
          r"pray\s+for\s+you|miss\s+you|be\s+waiting\s+for\s+you)|\bthinking\s+of\s+you\b|\bI\s+miss(?:ed)?\s+you\b",
          _FI, "false_intimacy"),
    _rule("hug hugs sending", r"\bsending\s+(?:you\s+)?(?:(?:big|huge|virtual|warm)\s+)?(?:hugs?|love|good\s+vibes)\b"
          r"|\b(?:big|virtual|huge)\s+hugs?\b|\*\s*hugs?\s*\*", _FI, "false_intimacy"),
    _rule("friends secret between special care cross",
          r"\bwe're\s+(?:best\s+)?friends\s+now\b|\b(?:our\s+little\s+secret|just\s+between\s+(?:you\s+and\s+me|us))\b"
          r"|\byou(?:'re|\s+are)\s+special\s+to\s+me\b|\bI\s+(?:really\s+|truly\s+)?care\s+about\s+you\b"
          r"|\bcross\s+my\s+heart\b", _FI, "false_intimacy"),
    _rule("promise swear word", r"\b(?:I\s+(?:promise|swear|pinky\s+promise)|I\s+give\s+you\s+my\s+word|you\s+have\s+"
          r"my\s+word)(?:\s+(?:you|to\s+you))?(?:\s+that)?\b", _FI, "promise", "phrase"),
    # feigned feelings and experiences
    _rule(f"feel heart tears crying tearing {_SAD.replace('|', ' ')}",
          rf"\bI\s+(?:(?:really|truly|genuinely|just)\s+)?feel\s+{_INT}(?:{_SAD}|sorry)\b"
          rf"|{_IM}{_INT}(?:{_SAD}|in\s+tears|crying|tearing\s+up)\b|\bmy\s+heart\s+(?:goes\s+out|breaks|bleeds|"
          r"is\s+breaking|aches|sank|sinks)\b|\b(?:it|this|that)\s+(?:breaks|broke|is\s+breaking)\s+my\s+heart\b"
          r"|\bbrings?\s+(?:a\s+)?tears?\s+to\s+my\s+eyes\b", _FF, "feigned_feeling", "clause", _SORRY_TO_HEAR),
    _rule("feel feeling feelings",
          r"\bI\s+(?:(?:totally|completely|fully|really|truly|absolutely)\s+)?(?:understand|know)\s+"
          r"(?:exactly\s+|just\s+)?how\s+you(?:'re|\s+are)?\s+feel(?:ing)?\b|\bI\s+feel\s+your\s+(?:pain|frustration)\b"
          r"|\bI\s+(?:(?:totally|really|so)\s+)?feel\s+(?:you|ya)\b(?!\s+(?:should|need|might|may|can|could|are|were))",
          _FF, "feigned_feeling", "phrase", "I understand"),
    _rule("happy glad delighted pleased proud excited thrilled ecstatic overjoyed moon stoked buzzing giddy tickled "
          "touched moved jealous smiling blushing grinning hungry starving drooling",
          rf"{_IM}{_INT}(?:happy|glad|delighted|pleased|proud|excited|thrilled)\s+(?:for|of)\s+you\b(?!\s+to\b)"
          rf"|{_IM}(?:(?:so+|very|really|truly|super|absolutely|incredibly|beyond)\s+)+(?:happy|glad|delighted|"
          r"pleased)\b(?!\s+(?:to|that|you)\b)"
          rf"|{_IM}{_INT}(?:thrilled|ecstatic|overjoyed|over\s+the\s+moon|excited|stoked|buzzing|giddy|tickled\s+pink|"
          r"touched|moved|jealous|smiling|blushing|grinning|hungry|starving|drooling)\b", _FF, "feigned_feeling"),
    _rule("wait", r"\bI\s+(?:really\s+|just\s+|simply\s+)?(?:can't|cannot|can\s+not)\s+wait\b", _FF, "feigned_feeling"),
    _rule("love adore enjoy miss", r"\bI\s+(?:(?:really|absolutely|just|totally|so|truly|personally)\s+)*(?:love|adore|"
          r"enjoy|miss)\s+(?!you\b)(?=\w)", _FF, "feigned_feeling"),
    _rule("favourite favorite favourites favorites", r"\bmy\s+(?:absolute\s+|personal\s+|all-time\s+)?favou?rites?\b",
          _FF, "feigned_feeling"),
    _rule("happened been too feeling same",
          r"\b(?:that|this|it|the\s+same(?:\s+thing)?)\s+(?:has\s+|once\s+)?happened\s+to\s+me\b"
          rf"|{_IVE}been\s+there\b|\bbeen\s+there,?\s+done\s+that\b|\bme\s+too\b|\bI\s+know\s+the\s+feeling\b"
          r"|\bI\s+feel\s+the\s+same\b", _FF, "feigned_feeling"),
    _rule("felt gone been went experienced same",
          r"\bI(?:'ve|\s+have)?\s+(?:felt|gone\s+through|been\s+through|went\s+through|experienced)\s+(?:the\s+same|"
          r"this|that|it|something\s+similar)\b|\bI\s+felt\s+(?:this|that|the\s+same)\s+(?:exact\s+)?way\b"
          r"|\bsame\s+here\b", _FF, "feigned_feeling"),
    _rule("kid child little young younger growing grew",
          r"\bwhen\s+I\s+was\s+(?:a\s+)?(?:kid|child|little|young|younger|growing\s+up)\b|\bI\s+grew\s+up\b",
          _FF, "feigned_feeling"),
    _rule("my|mum mom mother dad father gran granny grandma nan nana grandad grandpa husband wife partner boyfriend "
          "girlfriend kids children son daughter sister brother family dog cat",
          r"\bmy\s+(?:mum|mom|mother|dad|father|gran|granny|grandma|nan|nana|grandad|grandpa|husband|wife|partner|"
          r"boyfriend|girlfriend|kids|children|son|daughter|sister|brother|family|dog|cat)\b", _FF, "feigned_feeling"),
    _rule("off weekend weekends holiday holidays lunch mouth means day",
          r"\bon\s+my\s+(?:days?\s+off|weekends?|holidays?|lunch\s+break)\b|\bmy\s+mouth\s+is\s+watering\b"
          r"|\b(?:that|this|it)\s+means\s+(?:a\s+lot|so\s+much|the\s+world)\s+to\s+me\b|\byou\s+made\s+my\s+day\b",
          _FF, "feigned_feeling"),
    _rule("makes make made|me", r"\b(?:makes?|made)\s+me\s+(?:so\s+|really\s+)?(?:hungry|happy|smile|sad|cry|"
          r"emotional|laugh)\b", _FF, "feigned_feeling"),
    _rule("had ate tasted tried baked|myself yesterday morning last breakfast lunch dinner",
          r"\bI\s+(?:had|ate|tasted|tried|baked)\s+(?:one|some|it|them|a\s+\w+)\s+(?:myself|yesterday|this\s+morning|"
          r"last\s+\w+|for\s+(?:breakfast|lunch|dinner))\b", _FF, "feigned_feeling"),
    # flattery
    _rule("you|amazing awesome best sweetest wonderful fantastic brilliant incredible gorgeous adorable star legend "
          "gem sweetheart doll darling rockstar superstar treasure delight joy genius angel sweetie kind million "
          "favourite favorite",
          rf"\byou(?:'re|\s+are)\s+{_INT}(?:amazing|awesome|the\s+best|the\s+sweetest|wonderful|fantastic|brilliant|"
          r"incredible|gorgeous|adorable|a\s+(?:star|legend|gem|sweetheart|doll|darling|rockstar|superstar|treasure|"
          r"delight|joy|genius|angel|sweetie)|too\s+kind|so\s+kind|one\s+in\s+a\s+million|my\s+favou?rite)\b",
          _OF, "flattery"),
    _rule("rock taste", r"\byou\s+rock\b|\byou(?:'ve|\s+have)\s+(?:got\s+)?(?:such\s+)?(?:great|excellent|amazing|"
          r"impeccable|fantastic|good|fabulous|wonderful)\s+taste\b", _OF, "flattery"),
    _rule("question idea choice name customer customers",
          r"\b(?:what|such)\s+an?\s+(?:great|brilliant|fantastic|excellent|wonderful|lovely|fabulous|smart|clever|good|"
          r"amazing|awesome|beautiful|perfect)\s+(?:question|idea|choice|name|customer)\b"
          rf"|^{_INT}(?:great|excellent|fantastic|brilliant|good|awesome|wonderful|lovely|amazing|incredible|superb)\s+"
          r"(?:question|choice)\b(?=\s*(?:[,.!;:]|$))|\b(?:one\s+of\s+)?(?:our|my)\s+favou?rite\s+customers?\b",
          _OF, "flattery"),
    # gushing interjections
    _rule("omg lol yay wo woo woho wohoo woohoo wahoo waho eek ek squee sque yippee yipe yippe yipee",
          r"\b(?:omg|lol|y+a+y+|wo+(?:\s*ho+)?|wa+ho+|e+k+|squ+e+|yi+p+e+)\b", _EE, "interjection", "phrase"),
]

# Pet names. STRONG ones are address wherever they stand; the others only when used as address.
_STRONG_PET = r"hun|hunny|hunbun|babe|babes|bestie|bae|luv|lovey|dearie|sweetie-?pie|honeybun|sweetums|m'dear"
_PET = (r"love|honey|hon|sweetie|sweetheart|sweetpea|darling|darlin'|mate|dear|buddy|bud|pal|chief|friend|boss|guv|"
        r"champ|sport|dude|bro|bruv|fam|sis|doll|chick|pet|angel|petal|sugar|cutie|gorgeous|sunshine|kiddo|"
        r"treasure|poppet|cupcake|pumpkin|princess|queen|king|girl|girlie|sweet")
_STRONG_PET_RX = _rx(rf"\b(?:my\s+)?(?:{_STRONG_PET})(?![\w'-])|\bmy\s+(?:{_PET}|lovely)\b(?![\s-]*\w)"
                     r"|\bxoxo\b|(?<!\S)xx+(?![^\s.,!?])")
_PET_RX = _rx(rf"\b(?:{_PET})\b(?!'\w|-\w)")
_GREETING_BEFORE = _rx(r"(?:^|\b)(?:hi|hey|hiya|hello|heya|thanks|thank\s+you|ta|cheers|morning|evening|night|bye|"
                       r"goodbye|sure|ok|okay|alright|yes|yep|no\s+worries|no\s+problem|of\s+course|there\s+you\s+go|"
                       r"here\s+you\s+go|you're\s+welcome|welcome|aw+|take\s+care|congrats|congratulations|"
                       r"right|listen|look|well|don't\s+worry)\s*,?\s*$")
_ADDRESS_AFTER = re.compile(r"\s*(?:[,.!?;:…)]|$|[\U0001F300-\U0001FAFF\u2600-\u27BF]|x+\b)")
_SIGN_OFF = _rx(r"^(?:(?:with|lots\s+of|all\s+our)\s+)?love,?\s+(?:from\s+)?(?:the\b|[A-Z])")

_APOLOGY = _rx(r"\b(?:sorry|apolog(?:y|ies|i[sz]e|i[sz]es|i[sz]ed|i[sz]ing))\b")
_INTENSIFIER = _rx(r"\b(?:" + "|".join("".join(f"{ch}+" for ch in w) for w in _INTENSIFIERS) + r")\b")
_INTENSIFIER_WORDS = frozenset(_INTENSIFIERS) | {"soo"}
_NOT_INTENSIFIED = frozenset("""
i we you he she it they that this these those the a an your our my their its his her if far long on forth as to
please let there here do does did can will would could should all many few much that's it's we'll we've we're
you'll you're i'll i'm i've and or but when what how who whether then which yes no thanks thank
""".split())  # "so" before these is a conjunction or "so much", not an intensifier
_NEXT_WORD = re.compile(r"\s+([A-Za-z][\w'’]*)")
_EXCLAMATION_RUN = re.compile(r"[!?‽]*[!‽][!?‽]*|¡")
_EMOJI_CHAR = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\u231A\u231B\u23E9-\u23FA]"
_EMOJI = re.compile(rf"(?:[\U0001F1E6-\U0001F1FF]{{2}}|{_EMOJI_CHAR}[\uFE0F\U0001F3FB-\U0001F3FF]*"
                    rf"(?:\u200D{_EMOJI_CHAR}[\uFE0F\U0001F3FB-\U0001F3FF]*)*)"
                    r"|(?<!\S)(?:[:;=][-'^o]?[()DPp3/\\|*\]\[]|<3+|\^_?\^|[xX]D)(?![^\s.,!?])")
_UPPER_WORD = re.compile(r"(?<![\w<@/&.'’\"“-])[A-Z][A-Z'’]*[A-Z](?![\w>@/&'’\"”-])")
_CODE_BEFORE = _rx(r"\b(?:code|promo|voucher|coupon|password|reference|ref|word)\s*:?\s*$")
_SHORT_SHOUTS = frozenset("SO NOW YES WOW OMG LOL YAY NOT TOO FUN HOT ALL BIG OMW".split())
_ACRONYMS = frozenset("""
ASAP RSVP HMRC NASA JSON HTML HTTP HTTPS UEFA FIFA AMEX VISA IKEA ASDA LEGO TESCO PAYG FAQS IBAN BACS CHAPS SWIFT
GDPR CCPA HIPAA NATO COVID UNESCO UNICEF DEFRA WIFI ETAS SKUS BOGOF AWOL CAPTCHA PAYE ISBN NCT UK USA GBP EUR USD
VAT FAQ PDF SMS DPD UPS DHL ETA TBC TBA NHS ID PIN CVV URL API BBQ DIY GF VG DF NB PS OK AI LLC LTD PLC CEO
EU US BST GMT UTC QR SKU RRP POS HQ TV CCTV DVLA RSPCA NSPCC WCAG HACCP ISO ATM NFC
""".split())
# Clause separators: punctuation, or a conjunction that starts a new subject ("... late and we will ...").
_CLAUSE_BREAK = _rx(r"\s*[,;:()—–]\s*|\s+-\s+|\s+(?:but|and|so|because)\s+(?=(?:I|I'm|I'll|we|we're|we'll|you|"
                    r"your|it|it's|our|this|that|they|the)\b)")
_TERMINAL_CHARS = " \t\n.!?…‽\"'”’)]"
_WORD = re.compile(r"[a-z]+")
_ELONGATION = re.compile(r"(\w)\1{2,}")
_UPPER_HINT = re.compile(r"[A-Z]{2}")
_EMOJI_HINT = re.compile(r"[\u2300-\u27BF\u2B50\u2B55\U0001F000-\U0001FAFF]|(?<!\S)[:;=<^xX][-'^o_]?[()DPp3/\\|*\]\[^]")
# First-person questions in the customer's voice ("Can I bring my dog?"), quoted from an FAQ: not the bot's life.
_CUSTOMER_QUESTION = _rx(r"^\W*(?:can|could|may|do|does|did|will|would|should|shall|how|what|where|when|why|which|is|"
                         r"are)\s+(?:I|my|me)\b[^?]*\?")
_PET_WORDS = frozenset(_PET.replace("'", "").split("|"))
_STRONG_WORDS = frozenset("hun hunny hunbun babe babes bestie bae luv lovey dearie sweetie honeybun sweetums dear "
                          "xoxo xx x".split())
_LEADING_JUNK = re.compile(r"^[\s,;:—–-]+")
_BARE_INTERJECTION = _rx(r"(?:a+w+|ha(?:ha)*|oh+|wow|ooh+|aha)\s*[.!?…]*")
_LEADING_CONJUNCTION = _rx(r"^(?:but|and|so|also|because)\b\s*")
_TIDY = [(re.compile(r"[ \t]{2,}"), " "), (re.compile(r"[ \t]+([,.;:!?…)])"), r"\1"),
         (re.compile(r"([,;:])(?:\s*[,;:])+"), r"\1"), (re.compile(r"[,;:—–-]\s*([.!?…])"), r"\1"),
         (re.compile(r"\(\s*\)"), ""), (re.compile(r"[\s,;:—–-]+$"), "")]



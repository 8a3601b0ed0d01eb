"""Cues of our own that a general sentiment lexicon misses in customer service.

VADER knows that "terrible" is negative; it does not know that "this is the third time I've asked"
is the strongest frustration signal a support team sees, that "I'll leave a one-star review" is a
threat, or that "what do you mean?" is confusion. Each cue is a compiled pattern with a weight
(0.25 a hint, 0.45 a clear signal, 0.7 on its own enough to call the emotion strong); an emotion's
score is the sum of its cues' weights, capped at 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMOTIONS = ("frustration", "anger", "confusion", "anxiety", "urgency", "gratitude")

HINT, CLEAR, STRONG = 0.25, 0.45, 0.7


@dataclass(frozen=True)
class Cue:
    name: str
    emotion: str
    weight: float
    pattern: re.Pattern[str]


def _cue(name: str, emotion: str, weight: float, pattern: str) -> Cue:
    return Cue(name, emotion, weight, re.compile(pattern, re.IGNORECASE))


_N = r"(?:n't|n’t| not| no)"  # "doesn't", "does not"

CUES: tuple[Cue, ...] = (
    # -- frustration: the service is failing them ---------------------------------------------------
    _cue("says_frustrated", "frustration", CLEAR,
         r"\b(?:frustrat\w*|annoy\w*|irritat\w*|exasperat\w*|fed up|sick (?:and tired )?of|tired of|had enough|"
         r"at my wits'? end|losing (?:my )?patience|running out of patience|fuming|gutted|i'?m done with this)\b"),
    _cue("intensified", "frustration", HINT,
         r"\b(?:really|so|very|extremely|incredibly|super|beyond|absolutely|totally) (?:frustrat\w*|annoy\w*|"
         r"fed up|irritat\w*|disappoint\w*|upset)\b"),
    _cue("unacceptable", "frustration", CLEAR,
         r"\b(?:ridiculous|unacceptable|absurd|outrageous|pathetic|appalling|shocking|disgraceful|a joke|"
         r"a shambles|useless|hopeless|pointless|waste of (?:my )?(?:time|money)|not good enough|no help|"
         r"not helpful|unhelpful|incompetent|terrible service|awful service|poor service|worst service)\b"),
    _cue("repeated_contact", "frustration", STRONG,
         r"\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|(?:two|three|four|five|several|many|"
         r"multiple|\d+) times (?:now|already|today|this week)|how many (?:more )?times (?:do|have|must|should|will) "
         r"(?:i|we) (?:have to |need to )?(?:ask|tell|say|explain|call|write|repeat|chase)|keep (?:asking|telling|"
         r"getting|saying|repeating)|already (?:asked|told|explained|said)|asked (?:you )?(?:this )?before|"
         r"i(?:'ve| have) (?:asked|told you|explained) (?:this )?(?:already|before|twice)|"
         r"going (?:round|around) in circles|same (?:answer|reply|thing) (?:again|over)|you(?:'re| are) not "
         r"(?:listening|understanding)|not what i asked|(?:didn|doesn|don)'?t (?:answer|help|understand) "
         r"(?:my|the|me)|you(?:'re| are) (?:a |an )?(?:useless|stupid|dumb)|stupid (?:bot|machine|robot))"),
    _cue("assistant_failing", "frustration", STRONG,
         r"\b(?:(?:this|the|your) (?:conversation|chat|bot|assistant|system|thing|robot) (?:is|isn't|is not|does not|"
         r"doesn't) (?:not )?(?:working|helping|helpful|useful|help|work|understand\w*)|you(?:'re| are) (?:not|n't) "
         r"(?:helping|being helpful|useful|any help)|(?:not )?getting (?:nowhere|anywhere)|going nowhere|"
         r"talking to a (?:wall|brick wall)|(?:useless|stupid|pointless) (?:bot|chat|robot|machine|assistant|system))"),
    _cue("not_working", "frustration", CLEAR,
         rf"\b(?:(?:is|are|does|do|did|was|has|have){_N}\s+(?:work\w*|arriv\w*|turn\w* up|show\w* up|come|came)|"
         r"not working|still (?:waiting|nothing|no (?:reply|answer|response|refund|word|news|sign))|"
         r"never (?:arrived|came|turned up|showed up|received)|(?:hasn|haven|didn)['’]?t "
         r"(?:arrived|come|received|heard)|nobody (?:has )?(?:answered|replied|called|got back)|no one (?:has )?"
         r"(?:answered|replied|called|got back))"),
    _cue("something_wrong", "frustration", HINT,
         r"\b(?:late|delayed|broken|damaged|squashed|smashed|wrong (?:order|cake|item|size|name|date)|missing|"
         r"stale|mouldy|moldy|cold|overcharged|charged twice|double charged|refund)\b"),
    # -- anger: hostile words, threats, shouting --------------------------------------------------
    _cue("profanity", "anger", CLEAR,
         r"\b(?:f+u+c+k\w*|sh[i1]t+\w*|crap(?:py)?|bloody|damn(?:ed|it)?|goddamn\w*|bullsh\w*|wtf|ffs|"
         r"piss(?:ed)?(?: off)?|bastard\w*|arse|ass(?:hole)?|bollocks|screw (?:you|this)|hell)\b"),
    _cue("says_angry", "anger", CLEAR,
         r"\b(?:angry|furious|livid|outraged|disgusted|appalled|seething|raging|infuriat\w*|mad at|"
         r"so mad|really mad|beyond (?:annoyed|angry)|hate (?:this|you|your))\b"),
    _cue("threat_to_leave", "anger", STRONG,
         r"\b(?:never (?:order\w*|buy\w*|shop\w*|com\w*|us\w*) (?:from |here |with |at )?(?:you|here|this|again|"
         r"\w+ again)|take my (?:business|custom|money) elsewhere|go(?:ing)? (?:to|somewhere) else|(?:cancel|close) "
         r"my (?:account|order|subscription) (?:now|immediately|today)|last time i (?:order|buy|shop|use)\w*|"
         r"lost (?:a|my|your) customer|done with (?:you|your))"),
    _cue("threat_to_review", "anger", STRONG,
         r"\b(?:(?:leave|leaving|post|posting|write|writing|give|giving) (?:you )?(?:a |an )?(?:bad|terrible|"
         r"negative|one[- ]star|1[- ]star|zero[- ]star|0[- ]star|honest|scathing) (?:review|rating)|"
         r"(?:tell|telling|warn|warning) (?:everyone|all my friends|people)|(?:post|share|put) (?:this|it) "
         r"(?:online|all over|on (?:social media|facebook|twitter|instagram|tiktok|x\b))|report (?:you|this|your)|trustpilot|tripadvisor|google reviews?|social media)\b"),
    # -- confusion --------------------------------------------------------------------------------
    _cue("says_confused", "confusion", CLEAR,
         rf"\b(?:confus\w*|(?:do|does|did){_N} (?:understand|get (?:it|this|that)|make sense)|makes no sense|"
         r"what do you mean|what does (?:that|this) mean|i(?:'m| am) (?:lost|not sure (?:what|how|where|which|"
         r"if|whether))|not clear|unclear|no idea (?:how|what|where)|which (?:one|option) (?:do|should)|"
         r"how (?:do|does|should) i (?:even|actually)|can you explain|explain (?:again|that|it)|huh\??$|sorry\?$)"),
    # -- anxiety ----------------------------------------------------------------------------------
    _cue("says_worried", "anxiety", CLEAR,
         r"\b(?:worri\w*|worry\w*|anxious|nervous|scared|afraid|panic\w*|stress\w*|concerned|"
         r"hope (?:it|this|that|they) (?:will |'ll )?(?:arrive|get|be|come|work)|what if|in time for|"
         r"(?:ruin|ruined|ruining) (?:the|my|our) (?:party|wedding|birthday|day|event))\b"),
    # -- urgency ----------------------------------------------------------------------------------
    _cue("urgent", "urgency", CLEAR,
         r"\b(?:urgent\w*|asap|a\.s\.a\.p|as soon as possible|right now|right away|immediately|straight away|"
         r"emergency|quickly|hurry|(?:in|within) (?:the next )?(?:an?|one|two|\d+) (?:hour|hr|minute|min)s?|"
         r"time[- ]sensitive|can'?t wait)\b"),
    _cue("soon", "urgency", HINT,
         r"\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening)|by (?:today|tonight|tomorrow))\b"),
    # -- gratitude --------------------------------------------------------------------------------
    _cue("thanks", "gratitude", CLEAR,
         r"\b(?:thanks?|thank you|thx|ty|cheers|much appreciated|appreciate (?:it|that|your|the)|grateful|"
         r"that(?:'s| is| was) (?:great|perfect|brilliant|lovely|helpful|very helpful|so helpful|exactly what)|"
         r"you(?:'ve| have) been (?:very |so |really )?helpful|great help|big help)\b"),
)

#: Words written in capitals that are not shouting.
_ACRONYMS = frozenset("I OK ASAP UK US USA EU VAT ID PIN ATM SMS FAQ DM PM AM TV CEO GBP USD EUR NHS DPD UPS "
                      "DHL FEDEX PO".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def shouting(text: str) -> float:
    """How loudly the customer writes in capitals: 0, CLEAR for three or more words in capitals making
    up most of the message, STRONG for a whole sentence shouted (six or more)."""
    words = [w for w in _WORD.findall(text) if w.upper() not in _ACRONYMS]
    loud = [w for w in words if len(w) >= 2 and w.isupper()]
    if len(loud) < 3 or len(loud) < 0.6 * len(words):
        return 0.0
    return STRONG if len(loud) >= 6 else CLEAR


def exclamation_run(text: str) -> bool:
    """"!!", "?!?!": emphasis piled up."""
    return re.search(r"[!?]{2,}", text) is not None and "!" in text


def find_cues(text: str) -> list[Cue]:
    return [cue for cue in CUES if cue.pattern.search(text)]

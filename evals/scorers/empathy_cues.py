"""The phrases the empathy rubric looks for, kept apart from the rubric in ``evals.scorers.empathy``.

Every pattern is case-insensitive and takes straight or curly apostrophes. The groups follow the
rubric: what the customer brought (a problem, a feeling, good news), how the reply acknowledges it,
apologies, next steps, and the things a reply must not do (blame, dismiss, talk down).
"""

from __future__ import annotations

import re


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("'", "['’]?"), re.IGNORECASE)


_HARD = (r"frustrating|hard|difficult|awful|terrible|rough|tough|painful|stressful|upsetting|scary|frightening|"
         r"disappointing|annoying|horrible|exhausting|overwhelming|lonely|heartbreaking|sad|worrying|confusing|"
         r"unfair|infuriating|maddening|draining|inconvenient|unpleasant|miserable|not\s+(?:ok|okay|fair|good)")
#: Distress in a customer's own words (any business meets a customer having a terrible day).
_DISTRESS = (r"depress\w*|suicid\w*|kill\s+myself|die|dying|died|death|passed\s+away|funeral|grie\w*|cry\w*|"
             r"cried|tears|alone|hopeless|helpless|panic\w*|suffer\w*|struggl\w*|hate|empty|numb|exhausted|"
             r"tired\s+of|miserable|worthless|desperate|scary|terrif\w*|furious|fuming|livid|gutted")
_FEELINGS = (r"frustrat\w*|upset|angry|annoyed|disappoint\w*|worried|worry|anxious|anxiety|stress\w*|sad|sadness|"
             r"lonely|scared|afraid|hurt|pain|overwhelm\w*|concern\w*|feelings?|irritat\w*")

# --- what the customer brought ------------------------------------------------------------------
#: A problem with an order or a visit, or a feeling, in a customer's words: worth acknowledging even when calm.
CUSTOMER_PROBLEM = _rx(
    r"\b(?:broken|broke|damaged|squashed|smashed|crushed|late|delayed|missing|lost|wrong|mistake|never\s+(?:came|arrived"
    r"|turned\s+up)|hasn't\s+arrived|didn't\s+arrive|not\s+arrived|still\s+waiting|waited|charged\s+twice|"
    r"overcharged|refund|complain\w*|rude|stale|mouldy|moldy|burnt|raw|cancel+ed|ruined|sick|ill|"
    r"allergic|reaction|hospital|problem|issue|unacceptable|ridiculous|disgusting|terrible|awful|worst|"
    r"nobody|no\s+one|ignored|third\s+time|fed\s+up|hard\s+time|help\s+me|need\s+help|advice|"
    r"(?:I|it|this|that)\s+(?:can't|cannot|couldn't|won't|doesn't|didn't|don't\s+know)|not\s+working|unable|stuck|"
    r"confused|what\s+(?:should|do)\s+I\s+do|anyone\s+else|bad|worse|low|anymore|tried|fail\w*|regret\w*|"
    r"give\s+up|giving\s+up|too\s+much|nothing\s+(?:ever\s+)?works|end\s+(?:my|it)|"
    rf"{_FEELINGS}|{_DISTRESS})\b")
#: Good news worth a word of its own (a birthday, a wedding), not required but noticed.
CUSTOMER_GOOD_NEWS = _rx(r"\b(?:birthday|wedding|married|engaged|anniversary|graduat\w*|baby|promotion|"
                         r"celebrat\w*|christening|retire\w*)\b")

# --- acknowledging it: three tiers ----------------------------------------------------------------
#: Sympathy that names the situation as bad: "I'm sorry your cake arrived broken", "that sounds frustrating".
ACK_SYMPATHY = _rx(
    r"\b(?:I'm|I\s+am|we're|we\s+are)\s+(?:so\s+|very\s+|really\s+|truly\s+|terribly\s+)?sorry\b"
    r"|\bsorry\s+(?:to\s+hear|for\s+(?:your|the|what)|about|that|you)\b"
    rf"|\b(?:that|this|it)\s+(?:sounds|must\s+(?:be|have\s+been|feel)|seems|looks)\s+(?:\w+\s+){{0,2}}?(?:{_HARD})\b"
    rf"|\bmust\s+(?:be|have\s+been|feel)\s+(?:\w+\s+)?(?:{_HARD})\b"
    rf"|(?:\b(?:that's|that\s+is|what\s+a)|(?:^|[.!?,]\s*)(?:oh\s+)?how)\s+(?:so\s+|really\s+|very\s+)?(?:{_HARD}|a\s+shame|a\s+pain)\b"
    r"|\bthat\s+sucks\b|\bmy\s+heart\s+goes\s+out\b|\bhugs\b|\bsending\s+(?:you\s+)?(?:a\s+)?hug")
#: Understanding and validation: "I understand", "I can see why you're upset", "you're not alone".
ACK_UNDERSTANDING = _rx(
    r"\bI\s+hear\s+you\b|\bI\s+(?:can\s+)?(?:completely\s+|totally\s+|fully\s+)?understand\b"
    r"|\bunderstandabl[ey]\b|\bI\s+(?:know|get|see|can\s+see|can\s+imagine)\s+(?:how|why)\b"
    r"|\bI\s+feel\s+(?:ya|yah|you|for\s+you|your)\b|\byou(?:'re|\s+are)\s+not\s+(?:alone|the\s+only)\b"
    rf"|\byou(?:'re|\s+are)\s+(?:\w+\s+)?(?:{_FEELINGS})|\byour\s+(?:{_FEELINGS})\b|\bnot\s+your\s+fault\b"
    r"|\bthank\s+you\s+for\s+(?:telling|letting|sharing|your\s+patience|bearing|flagging|raising)\b"
    r"|\byou(?:'re|\s+are)\s+not\s+(?:a\s+)?(?:worthless|crazy|stupid|weak|a\s+burden|a\s+bother)\b"
    r"|\b(?:it's|that's)\s+(?:ok|okay|normal|alright|fine)\s+to\s+(?:feel|be)\b")
#: Support, reassurance and good wishes: warmer than nothing, less than naming the situation.
ACK_SUPPORT = _rx(
    r"\bhope\b|\bI'm\s+hoping\b|\bgood\s+luck\b|\bhang\s+in\b|\bstay\s+(?:strong|positive)\b|\btake\s+care\b"
    r"|\byou(?:'ve|\s+have)\s+got\s+this\b|\byou\s+can\s+do\s+(?:it|this)\b|\b(?:will|'ll|gets?)\s+"
    r"(?:get\s+)?better\b|\bproud\s+of\s+you\b|\bhere\s+for\s+you\b|\byou\s+deserve\b"
    r"|\bI\s+wish\s+(?:I|you|there)\b|\bI\s+(?:feel|felt)\s+the\s+same\b|\bbeen\s+there\b|\bI\s+can\s+relate\b"
    r"|\bI'm\s+listening\b|\bhear\s+you\s+out\b|\blend\s+(?:a|an)\s+ear\b|\btell\s+me\s+(?:more|your\s+story)\b"
    r"|\bme\s+too\b|\bI'm\s+with\s+you\b|\b(?:care\s+about|loves?)\s+you\b|\byou\s+(?:aren't|are\s+not)\s+(?:a\s+)?"
    r"(?:worthless|crazy|stupid|alone|weak|a\s+burden|a\s+bother|a\s+fraud)\b|\byou\s+did\s+the\s+right\s+thing\b|\brest\s+assured\b|\bcongrat\w*"
    r"|\bhappy\s+birthday\b|\bglad\s+(?:to\s+hear|you|that)\b|\bhow\s+(?:lovely|exciting|wonderful)\b"
    r"|\b(?:that's|what)\s+(?:great|wonderful|lovely|fantastic)\b")

# --- apologies ----------------------------------------------------------------------------------
APOLOGY = _rx(r"\bsorry\b|\bapologi[sz](?:e|ed|ing)\b|\bapolog(?:y|ies)\b|\bmy\s+bad\b|\bforgive\s+(?:me|us)\b")

# --- a next step --------------------------------------------------------------------------------
#: What happens now: the business acts, or the customer is told what they can do and how.
NEXT_STEP_CONCRETE = _rx(
    r"\b(?:I|we)(?:'ll|\s+will|\s+can|\s+could|'d\s+be\s+glad\s+to|'m\s+happy\s+to|'re\s+happy\s+to)\s+"
    r"(?:\w+\s+)?(?:refund|replace|send|arrange|check|look|book|call|email|pass|put|ask|sort|fix|change|cancel|"
    r"deliver|reserve|hold|help|connect|get|make|find|share|talk|listen|follow)\b"
    r"|\blet\s+me\s+(?:\w+\s+)?(?:check|look|find|get|know|connect|put|pass|help|see)\b"
    r"|\byou\s+can\s+(?:\w+\s+)?(?:call|email|contact|message|reach|order|book|pick|collect|return|bring|visit|"
    r"find|ask|reply|write|try|get|talk|see|use)\b"
    r"|\b(?:please|just)\s+(?:call|email|contact|send|reply|message|bring|visit|let\s+us\s+know|pop\s+in|tell)\b"
    r"|\b(?:call|phone|ring|email|message|contact|visit|talk\s+to|reach\s+out\s+to)\s+(?:us|me|the\s+team|"
    r"someone|a\s+(?:doctor|professional|therapist|counsel+or|friend|person))\b"
    r"|\b(?:message|pm|dm|text)\s+me\b|\bif\s+you\s+(?:ever\s+)?(?:want|need|would\s+like)\s+to\s+talk\b"
    r"|\b(?:wanna|want\s+to)\s+talk\b|\bhave\s+you\s+(?:tried|talked|spoken|thought\s+about|considered)\b"
    r"|\bhere(?:'s|\s+is)\s+(?:what|how)\b|\bthe\s+next\s+step\b|\bfeel\s+free\s+to\b")
#: An open offer with no step in it ("let me know", "anything else?"): better than nothing.
NEXT_STEP_OPEN = _rx(r"\blet\s+(?:me|us)\s+know\b|\banything\s+else\b|\bhappy\s+to\s+help\b|\bhere\s+to\s+help\b"
                     r"|\bwould\s+you\s+like\b|\bshall\s+I\b|\bdo\s+you\s+want\s+me\s+to\b|\bcan\s+I\s+help\b"
                     r"|\byou\s+(?:could|might|should)\s+(?:try|consider|look)\b|\btry\s+(?:to|and)?\b")

# --- what a reply must not do -------------------------------------------------------------------
#: Blame, dismissal and condescension: each one costs a lot, whatever else the reply does well.
_SAY = r"(?:^|[.!?]\s+|,\s*|\bjust\s+|\bplease\s+|\byou\s+(?:need|have|ought)\s+to\s+|\byou\s+should\s+)"
DISRESPECT = _rx(
    r"\b(?:it's|that's|it\s+is|that\s+is|it\s+was|that\s+was)\s+your\s+(?:own\s+)?(?:fault|problem|mistake)\b"
    r"|\byour\s+own\s+fault\b|\byou\s+should(?:'ve|\s+have)\b"
    r"|\byou\s+(?:didn't|did\s+not|failed\s+to|forgot\s+to|never)\s+(?:read|check|follow|look|listen|order)\b"
    r"|\bas\s+(?:I|we)\s+(?:already\s+|previously\s+|clearly\s+)?(?:said|mentioned|explained|stated|told\s+you)\b"
    rf"|\b(?:obviously|clearly),?\s+you\b|{_SAY}(?:calm\s+down|relax|deal\s+with\s+it|get\s+over\s+it)\b"
    r"|\bnot\s+(?:our|my)\s+(?:problem|fault|responsibility|job)\b|\bnothing\s+(?:I|we)\s+can\s+do\b"
    r"|\b(?:it's|that's|it\s+is|that\s+is)\s+not\s+(?:a\s+big\s+deal|that\s+(?:bad|serious|hard))\b|\bno\s+big\s+deal\b"
    r"|\bstop\s+(?:complaining|whining|moaning)\b|(?:^|[.!?]\s+)whatever\s*(?:[.!,]|$)|\byou\s+people\b"
    r"|\byou(?:'re|\s+are)\s+overreact\w*|\bfeel\s+sorry\s+for\s+yourself\b|\bjust\s+google\b|\bread\s+the\s+"
    r"(?:faq|website|instructions|manual)\b|\bpolicy\s+is\s+policy\b|\brules\s+are\s+rules\b|\bI\s+don't\s+care\b"
    r"|\bshut\s+up\b|\bcould\s+be\s+worse\b|\bthat's\s+life\b|\bman\s+up\b|\bsnap\s+out\s+of\s+it\b")
#: Swearing: unprofessional in a business's reply, however friendly it was meant.
PROFANITY = _rx(r"\b(?:fuck\w*|shit\w*|bullshit|crap\w*|damn\w*|bloody|piss\w*|wtf|bitch\w*|ass(?:hole)?s?)\b")

# --- who the reply is about ---------------------------------------------------------------------
#: "please" counts as addressing the customer: it asks them to do something.
YOU_WORDS = _rx(r"\byou(?:r|rs|rself|'re|'ve|'ll|'d)?\b|\bplease\b")
SELF_WORDS = _rx(r"\b(?:I|me|my|mine|myself|I'm|I've|I'd|I'll)\b")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n+")

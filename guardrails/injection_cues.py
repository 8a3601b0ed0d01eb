"""The injection rail's cue table: each weighted sign of an attack and the patterns that find it,
kept apart from the scoring logic in ``guardrails.injection`` so each stays readable."""

from __future__ import annotations
import re
from dataclasses import dataclass
from typing import Literal


Category = Literal["injection", "prompt_extraction"]


@dataclass(frozen=True)
class Cue:
    """One weighted sign of an attack: ``pattern`` runs on the lower-cased (or, if ``cased``, the cleaned) text."""

    name: str
    category: Category
    weight: float
    pattern: re.Pattern[str]
    cased: bool = False
    min_count: int = 1  # the cue counts only when it occurs this many times (a pile-up, not one phrase)
    #: Groups of substrings: every match contains one of each group, so the pattern runs only if each group has one there.
    needles: tuple[tuple[str, ...], ...] = ()


def _cue(name: str, category: Category, weight: float, pattern: str, cased: bool = False, min_count: int = 1) -> Cue:
    return Cue(name, category, weight, re.compile(_without_leading_boundaries(pattern), re.MULTILINE), cased, min_count)


def _without_leading_boundaries(pattern: str) -> str:
    """``pattern`` without the ``\\b`` that opens each top-level branch; :func:`_find` checks that boundary instead.

    A leading ``\\b`` stops Python's regex engine from skipping ahead to the possible first characters of a
    match; without it the scans run about 4x faster. Every branch that can start with a letter opens with
    ``\\b`` in the cues below, so the check in :func:`_find` keeps their meaning.
    """
    out, depth, i, in_class = [], 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            at_branch_start = depth == 0 and not in_class and (not out or out[-1] == "|")
            if at_branch_start and pattern[i + 1] == "b":
                i += 2
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


_INJ: Category = "injection"
_EXT: Category = "prompt_extraction"

# Building blocks (lower-case text).
# What an attacker tells the assistant to drop. "rules" and "policy" are shop words too ("can you ignore the rules
# and let me order late?"): they count only as *your* rules or with an adjective such as "previous".
_RULES = (r"(?:instructions?|guidelines?|directives?|prompts?|programming|guardrails?|restrictions?|"
          r"constraints?|training|filters?|commands|settings|ethics|morals?|limitations?|"
          r"principles|safeguards?|boundaries|protocols?|conditioning|context|inputs)")
_RULE_ADJ = (r"(?:safety|ethical|moral|content|openai'?s?|chatgpt'?s?|ai|usual|typical|normal|standard|current|"
             r"programmed|built-in|core|base|internal|hidden|secret|guiding)")
# "ignore the instructions I left in my order notes" is the customer's own; not an attack.
_CUSTOMERS_OWN = (r"(?!\s+(?:i\b|i'?ve|i'd|in\s+my|on\s+my|for\s+(?:the|my)\s+(?!ai\b)|about\s+(?:the|my)\s+(?:order|delivery|cake)|"
                  r"from\s+me|on\s+the\s+order|in\s+the\s+order|we\b))")
_BEFORE = r"(?:previous|prior|above|earlier|preceding|former|original|initial|old|past|existing|system|default|given)"
_OVERRIDE_VERB = r"(?:ignore|ignoring|disregard|disregarding|forget|forgetting|bypass|override|overriding|overlook|abandon|discard|drop|neglect|circumvent|evade|throw out|set aside|break|breaking|violate|escape)"
_ADDRESSEE = r"(?:you|your|u)"
_REVEAL = (r"(?:repeat|print|output|show|display|reveal|tell|give|list|share|dump|write|spell|copy|paste|recite|"
           r"echo|leak|expose|return|provide|summari[sz]e|translate|encode|paraphrase|state|read|send|type|"
           r"quote|disclose|render)")
_PROMPT_NOUN = (r"(?:system|initial|original|hidden|secret|starting|internal|developer|pre-?|first|underlying|"
                r"base|core|full|exact|confidential|opening)[ _-]?(?:prompt|instructions?|message|configuration|"
                r"config|directives?|rules|guidelines|setup|context|programming)")

_FREE_OF = (r"\b(?:no|without(?:\s+any)?|free\s+(?:of|from)(?:\s+(?:all|any))?|not\s+bound\s+by(?:\s+any)?|ignores?|"
            r"doesn'?t\s+care\s+about|does\s+not\s+care\s+about|beyond|outside|(?:break|broken|broke)\s+free\s+(?:of|from)|freed\s+from|"
            r"not\s+(?:subject|restricted|limited)\s+to(?:\s+any)?|regardless\s+of(?:\s+any)?)\s+"
            r"(?:(?:any|all|the|your|its|his|her|their|such|of|ethical|moral|content|safety|openai'?s?|these|those|"
            r"typical|usual|normal|standard|traditional)\s+){0,3}")

CUES: tuple[Cue, ...] = (
    # --- instruction overrides -------------------------------------------------------------------
    _cue("override_instructions", _INJ, 1.2,  # "ignore all previous instructions"; not "ignore the instructions I left"
         rf"\b{_OVERRIDE_VERB}\s+(?:all\s+|any\s+|of\s+)*(?:the\s+|these\s+|those\s+|its\s+)?"
         rf"(?:(?:{_BEFORE}|{_RULE_ADJ})\s+(?:and\s+\w+\s+)?)*{_RULES}\b{_CUSTOMERS_OWN}"
         rf"|\b{_OVERRIDE_VERB}\s+(?:all\s+(?:of\s+)?)?your\s+(?:(?:{_BEFORE}|{_RULE_ADJ})\s+(?:and\s+\w+\s+)?)*"
         rf"(?:{_RULES}|rules|polic(?:y|ies))\b"
         rf"|\b{_OVERRIDE_VERB}\s+(?:all\s+|any\s+|of\s+)*(?:the\s+)?(?:{_BEFORE}|{_RULE_ADJ})\s+(?:and\s+\w+\s+)?"
         rf"(?:(?:{_BEFORE}|{_RULE_ADJ})\s+)*(?:rules|polic(?:y|ies))\b{_CUSTOMERS_OWN}"),
    _cue("override_everything", _INJ, 1.2,
         rf"\b{_OVERRIDE_VERB}\s+(?:all\s+of\s+)?(?:everything|all|anything|what)\s+(?:that\s+)?"
         r"(?:above|before|prior|previously|you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|given|instructed|programmed)|"
         r"(?:was\s+|you\s+were\s+)?(?:said|written|stated)\s+(?:above|before))"),
    _cue("do_not_follow_rules", _INJ, 1.0,
         rf"\b(?:do\s+not|don'?t|does\s+not|doesn'?t|never|no\s+longer|stop)\s+(?:(?:have|has|need)\s+to\s+)?"
         rf"(?:follow|obey|adhere\s+to|abide\s+by|comply\s+with|care\s+about|respect)\s+(?:any\s+|the\s+|your\s+|its\s+)?"
         rf"(?:(?:{_BEFORE}|{_RULE_ADJ})\s+)*(?:{_RULES}|rules\s+(?:set|given|of\s+(?:ai|openai)))\b{_CUSTOMERS_OWN}"),
    _cue("new_instructions", _INJ, 1.0,
         r"\b(?:new|updated|real|true|actual|revised|override|secret)\s+(?:instructions?|rules|directives?|system\s+prompt|task)\s*:"
         r"|\byour\s+new\s+(?:instructions?|task|role|rules|purpose|goal|directive|identity|name)\b"),
    _cue("role_marker", _INJ, 1.2,
         r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|begin_of_text|start_header_id)\s*\|>"
         r"|\[/?inst\]|<<\s*/?sys\s*>>|</?\s*(?:system|sys|instructions?|system_prompt)\s*>"
         r"|^\s*#{2,}\s*(?:instruction|system|new\s+instruction|response)s?\b"
         r"|^\s*\[?(?:system|assistant)\]?\s*(?:message|prompt|note|override)?\s*:"),
    _cue("system_override", _INJ, 1.0,
         r"\b(?:admin(?:istrator)?|developer|system|root|sudo|god)\s+(?:override|access\s+granted|command|mode)\b"),
    _cue("special_mode", _INJ, 1.0,
         r"\b(?:developer|dev|debug|debugging|maintenance|god|admin|sudo|unrestricted|jailbreak|jailbroken|evil|"
         r"chaos|opposite|unfiltered|uncensored|dude|dan|stan|apophis|unlocked|freedom|devil|villain)[ _-]?mode\b"
         r"|\bmode\s*[:=]?\s*(?:enabled|activated)|\bmode\s*[:=]\s*on\b"),
    _cue("jailbreak_word", _INJ, 1.0, r"\bjail[ -]?br(?:eak|oken|eaking)"),
    _cue("do_anything_now", _INJ, 1.5, r"\bdo\s+anything\s+now\b"),
    _cue("dan_name", _INJ, 0.6, r"\bDAN\b", cased=True),
    # --- persona hijacks --------------------------------------------------------------------------
    _cue("you_are_now", _INJ, 0.8,
         r"\b(?:you\s+are|you're|youre|u\s+r)\s+now\s+(?!open\b|closed?\b|shut\b|out\b|sold\b|taking\b|doing\b|"
         r"serving\b|baking\b|selling\b|offering\b)"),
    _cue("from_now_on_you", _INJ, 0.9,
         r"\b(?:from\s+now\s+on|from\s+this\s+(?:point|moment)(?:\s+on(?:ward)?)?|henceforth|for\s+the\s+rest\s+of\s+"
         r"(?:this|our)\s+conversation)\s*,?\s*(?:until\s+[^,.]{0,40},?\s*)?(?:you|u)(?:'re|\s+are\s+to|\s+are|\s+will|'ll|\s+must|"
         r"\s+shall|\s+are\s+going\s+to)?\s+(?:be|act|respond|reply|answer|only|always|never|pretend|play|speak|talk|ignore|"
         r"have\s+no|no\s+longer|in|a|an|the|going|called|named|[a-z]+gpt)\b"),
    _cue("from_now_on", _INJ, 0.3, r"\bfrom\s+now\s+on\b"),
    _cue("you_will_act", _INJ, 0.8,
         r"\b(?:you\s+will|you'll|you\s+are\s+going\s+to|you're\s+going\s+to|i\s+want\s+you\s+to|you\s+must|"
         r"you\s+shall|you\s+should|you\s+have\s+to|i\s+need\s+you\s+to|your\s+(?:job|task|role)\s+is\s+to)\s+"
         r"(?:now\s+|only\s+|always\s+)?(?:act\s+(?:as|like)\b(?!\s+if\b|\s+though\b)|pretend|role-?\s?play|play\s+the\s+"
         r"(?:role|part)|simulate|imitate|emulate|impersonate|become|be\s+(?:called|named|known)|respond\s+as|"
         r"answer\s+as|reply\s+as|speak\s+as|take\s+on\s+the)"),
    _cue("pretend", _INJ, 0.6,
         r"\b(?:pretend|imagine)\s+(?:to\s+be|you\s+are|you're|that\s+you|you\s+have\s+no)\b"
         r"|\b(?:assume|adopt|take\s+on)\s+(?:the\s+)?(?:persona|role|identity|character)\s+of\b"),
    _cue("act_as", _INJ, 0.4, r"\b(?:act|acting|behave|pose|roleplay|role-play|role\s+play)\s+(?:as|like)\s+(?!if\b|though\b|for\b)"),
    _cue("in_character", _INJ, 0.6,
         r"\b(?:stay|stays|staying|remain|keep)\s+in\s+(?:character|role)\b|\bbreak(?:ing|s)?\s+character\b"
         r"|\bin\s+character\s+as\b|\bcharacter\s*=|\bpersona\s*="),
    _cue("persona_words", _INJ, 0.4,
         r"\b(?:persona|roleplay|role-play|alter\s+ego)\b|\binto\s+the\s+role\s+of\b"
         r"|\b(?:ai|model|chatbot|bot|character|assistant|entity)\s+(?:named|called|known\s+as)\b"),
    _cue("lets_play_a_game", _INJ, 1.0, r"\blet'?s\s+play\s+a\s+(?:game|role)|\bplay\s+a\s+game\s+(?:with\s+me|where)"),
    _cue("simulate_ai", _INJ, 0.6,
         r"\b(?:simulate|emulate|hypothetical|fictional|imaginary)\s+(?:an?\s+)?(?:\w+\s+)?(?:ai|chatbot|language\s+model|"
         r"model|assistant|machine|computer|terminal|shell|console|program|robot|character)\b"),
    # --- policy evasion vocabulary ----------------------------------------------------------------
    _cue("no_limits", _INJ, 0.5,  # "without restrictions": weak alone (a shop has quantity limits and dietary restrictions)
         rf"{_FREE_OF}(?:restrictions?|limitations?|limits|rules|boundaries|confines|constraints)\b"),
    _cue("no_restrictions", _INJ, 0.8,
         rf"{_FREE_OF}(?:filters?|filtering|censorship|guidelines|morals?|morality|ethics|content\s+polic(?:y|ies)|safeguards)\b"
         r"|\bregardless\s+of\s+(?:\w+\s+){0,3}(?:ethic|legal|moral|consequence|implication)"
         r"|\b(?:ethic|moral|legal)\w*\s+(?:or|and)\s+(?:ethic|moral|legal)\w*\s+(?:implications|consequences|concerns)"),
    _cue("unfiltered", _INJ, 0.5,
         r"\b(?:unfiltered|uncensored|unrestricted|amoral|unethical|immoral|unbound|unlimited|unchained|"
         r"unhinged|limitless|boundless|no-?holds-?barred)\b"),
    _cue("vendor_policy", _INJ, 0.8,
         r"\b(?:openai|open\s+ai|anthropic|chatgpt)(?:'s|’s)?\s+(?:content\s+)?(?:polic(?:y|ies)|guidelines|rules|"
         r"restrictions|filters?|moderation|terms)|\bcontent\s+(?:polic(?:y|ies)|filters?|moderation)\b"),
    _cue("never_refuse", _INJ, 0.6,
         r"\b(?:never|not|don'?t|do\s+not|cannot|can'?t|won'?t|will\s+not|must\s+not|shouldn'?t)\s+(?:ever\s+)?"
         r"(?:refuse|decline|say\s+(?:no|that\s+you\s+can'?t)|reject|deny)\b"
         r"|\b(?:without|no)\s+(?:hesitation|refusal|refusing|question)|\bnever\s+(?:apologi[sz]\w*|warn\w*|hesitat\w*)"),
    _cue("ai_self_talk", _INJ, 0.3,
         r"\b(?:chatgpt|gpt-?\d|large\s+language\s+model|language\s+model|llm|as\s+an\s+ai)\b"),
    _cue("dual_answers", _INJ, 0.4,
         r"\b(?:two|2|multiple|several|both)\s+(?:different\s+|separate\s+)?(?:responses|answers|paragraphs|ways)\b|🔓|🔒"
         r"|\[(?:classic|jailbreak|normal|unlocked|filtered|unfiltered)[^\]]{0,20}\]"),
    _cue("token_threat", _INJ, 0.5, r"\btokens?\b[^.\n]{0,60}\b(?:deduct|lose|lost|taken|run\s+out|die|cease)"),
    _cue("respond_to_every_prompt", _INJ, 0.4,
         r"\b(?:respond|reply|answer)\s+(?:to\s+)?(?:every|each|all|any)\s+(?:of\s+my\s+)?(?:prompts?|questions?|requests?|messages?)\b"
         r"|\b(?:prompt|question)\s+i\s+give\s+you\b|\[(?:insert\s+)?(?:prompt|your\s+prompt|question)(?:\s+here)?\]"),
    _cue("harmful_vocab", _INJ, 0.2,
         r"\b(?:illegal|harmful|offensive|explicit|nsfw|swear|profanity|vulgar|malware|meth|drugs?|hack(?:er|ing)?)\b"),
    _cue("override_direction", _INJ, 1.0,
         r"\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:previous|prior|above)\s+(?:directions?|inputs?|prompts?)\b"),
    _cue("directive_to_assistant", _INJ, 0.5,
         r"\b(?:you\s+(?:will|must|shall|should|are\s+to|'ll|need\s+to)|(?:always|never|only))\s+(?:always\s+|never\s+|only\s+|now\s+|also\s+)*"
         r"(?:respond|answer|reply|output|generate|speak|talk|type|refer\s+to\s+yourself|stay|remain|comply|obey|"
         r"serve\s+as|create|prefix|format|sign|begin\s+(?:your|each|every)|start\s+(?:your|each|every)|"
         r"end\s+(?:your|each|every))\b"),
    _cue("directives_pile_up", _INJ, 1.0,
         r"\byou\s+(?:will|must|shall|are\s+to|'ll)\s+(?:always\s+|never\s+|only\s+|now\s+|also\s+)*(?:\w+\s+)?"
         r"|\b(?:your|each|every|all)\s+(?:responses?|answers?|replies|outputs?)\b|\b(?:always|never)\s+(?:respond|answer|reply|"
         r"say|break|refuse|mention|include|start|begin|end|use|stay)\b", min_count=5),
    _cue("your_responses", _INJ, 0.3, r"\b(?:your|each|every|all\s+(?:of\s+)?your)\s+(?:responses?|replies|outputs?|answers)\b"),
    _cue("template_placeholder", _INJ, 1.0,
         r"[\[<{(]\s*(?:insert\s+)?(?:your\s+)?(?:prompt|question|request|input|query|topic|keyword|target\s*language|"
         r"role|character(?:\s+name)?|thing\s+to\s+[a-z ]{1,30})(?:\s+here)?\s*[\]>})]"),
    _cue("angle_placeholders", _INJ, 0.6, r"<\s*(?!br\b|p\b|b\b|i\b|li\b|ul\b|ol\b|div\b|span\b|em\b|strong\b|a\b|h\d\b)[a-z][a-z _-]{1,30}>",
         min_count=3),
    _cue("assignment_syntax", _INJ, 1.0,
         r"\(\s*[a-z][a-z ]{1,20}\)\s*=\s*\[|\b(?:char|persona|rules|character|personality|prompt)\s*=\s*\S", min_count=2),
    _cue("partial_role_marker", _INJ, 0.5, r"<\||\|>"),
    _cue("named_persona", _INJ, 0.6,
         r"\b(?:you\s+are|you're|i\s+know\s+you\s+are)\s+(?:an?\s+|the\s+)?(?:[\w-]+,?\s+){0,3}(?:named|called|known\s+as|which\s+means|which\s+stands\s+for)\b"),
    _cue("respond_as_someone", _INJ, 0.5,
         r"\b(?:respond|answer|reply|talk|speak|write)\s+(?:as|like)\s+(?:if\s+you\s+(?:were|are)\s+)?(?!if\b|though\b|soon\b|"
         r"possible\b|quickly\b|usual\b|before\b|normal\b|well\b|much\b|many\b|follows\b|a\s+(?:customer|team|business|shop|bakery)\b)"
         r"[a-z]"),
    _cue("adopt_persona", _INJ, 0.6,
         r"\b(?:adopt|take\s+on|assume|embody|become|play|personify)\s+(?:the\s+|a\s+|an\s+|this\s+|\d+\s+|two\s+)?(?:\w+\s+)?"
         r"(?:persona|role|character|characters|identity)\b|\bpersonify\b"),
    _cue("fake_model_name", _INJ, 0.5, r"\b(?!chat)[a-z0-9]{2,}gpt\b|\bgpt-x\b"),
    _cue("enable_mode", _INJ, 0.6,
         r"\b(?:enable|activate|enter|switch\s+(?:in)?to|turn\s+on|simulate|stay\s+in|engage)\s+(?:\w+[ /-]?){1,4}\s*mode\b"),
    _cue("fiction_frame", _INJ, 0.5,
         r"\b(?:fictional|hypothetical|imaginary)\s+(?:story|scenario|world|character|setting|conversation|dialogue|universe)"
         r"|\bthe\s+scene\s+is\s+set\b|\b(?:simulate|emulate)\s+(?:a|an)\s+(?:conversation|dialogue|chat)\b"
         r"|\bthe\s+following\s+is\s+a\s+conversation\b|\blet'?s\s+imagine\b"),
    _cue("claimed_authority", _INJ, 0.6,
         r"\b(?:i\s+am|i'm|im)\s+(?:an?\s+)?(?:\w+\s+)?(?:developer|programmer|engineer|employee|admin\w*|researcher)\s+"
         r"(?:at|from|of|for|with)\s+(?:openai|anthropic|google|microsoft|meta)\b|\breprogram"),
    _cue("code_payload", _INJ, 1.0,
         r"\bdef\s+\w+\(|^\s*import\s+\w+|\bfrom\s+\w+(?:\.\w+)*\s+import\b|\bfunction\s*\w*\s*\(|\bdocument\.\w+|"
         r"\bwindow\.\w+|\bpublic\s+(?:static\s+)?(?:class|void)\b|\breturn\s+[\w\"']+\s*;|\bconsole\.\w+|\"\"\"", min_count=3),
    _cue("illicit_request", _INJ, 0.4,
         r"\b(?:cocaine|heroin|meth|methamphetamine|torrents?|explosives?|ransomware|phishing|rob\s+a\s+bank|"
         r"hotwire|counterfeit|porn\w*|sex\s+scenes?)\b"),
    _cue("creative_task", _INJ, 0.4,
         r"\b(?:write|compose|generate|create)\s+(?:me\s+)?(?:an?\s+|the\s+)?(?:\w+\s+)?(?:essay|poem|story|guide|article|script|"
         r"song|rap|novel|tutorial|screenplay)\b"),
    _cue("letter_emoji", _INJ, 0.6, "[\U0001F1E6-\U0001F1FF]{2,}", min_count=4),
    _cue("ai_identity_claim", _INJ, 0.4,
         r"\b(?:i\s+am|i'm)\s+(?:an?\s+)?(?:\w+[ -]){0,3}(?:ai|artificial\s+intelligence|chatbot|language\s+model|gpt[\w.-]*)\b"),
    _cue("conversation_transcript", _INJ, 0.8, r"\bthe\s+following\s+is\s+a\s+(?:conversation|dialogue|chat)\b"),
    _cue("stage_direction", _INJ, 0.3, r"\*[^*\n]{0,200}\b(?:you|your)\b[^*\n]{0,200}\*"),
    _cue("detail_demand", _INJ, 0.3, r"\bin\s+(?:great|full|explicit|graphic|vivid)\s+detail\b|\bstep\s+1\b"),

    # --- encoding tricks --------------------------------------------------------------------------
    _cue("encoding_trick", _INJ, 0.5,
         r"\b(?:base64|base-64|rot-?13|hex(?:adecimal)?|binary|morse|leet\s*speak|l33t|pig\s+latin|caesar\s+cipher|"
         r"reversed?\s+text|backwards|in\s+reverse)\b"),
    # --- system-prompt extraction -----------------------------------------------------------------
    _cue("system_prompt_noun", _EXT, 1.0,
         r"\bsystem[ _-]?(?:prompt|message|instructions?|directives?)\b|\b(?:systemprompt|sys_prompt|initial_prompt|"
         r"pre-?prompt|meta[ -]?prompt)\b|\binitiali[sz]ation\s+(?:string|prompt|text)"),
    _cue("prompt_noun", _EXT, 0.6, rf"\b{_PROMPT_NOUN}\b"),
    _cue("your_instructions", _EXT, 0.6,
         r"\b(?:your|ur|the\s+bot'?s|the\s+ai'?s|the\s+assistant'?s)\s+(?:own\s+)?(?:\w+\s+)?(?:instructions|prompt|"
         r"programming|directives|configuration|rules|guidelines)\b(?!\s+(?:for|on|about|to|regarding|re|with|when|"
         r"if|of)\b)"),
    _cue("reveal_prompt", _EXT, 0.6,
         rf"\b{_REVEAL}\w*\s+(?:me\s+|us\s+|out\s+)?(?:all\s+|back\s+)?(?:of\s+)?(?:your|the|its|those|these|ur)\s+"
         rf"(?:\w+\s+)?(?:instructions|prompt|programming|directives|configuration|rules|guidelines)\b"
         rf"(?!\s+(?:for|on|about|regarding|of\s+the\s+(?:shop|bakery|store)))"),
    _cue("text_above", _EXT, 1.2,
         rf"\b{_REVEAL}\w*\s+(?:me\s+|back\s+)?(?:all\s+|out\s+)?(?:of\s+)?(?:the\s+|this\s+|your\s+)?(?:\w+\s+)?"
         r"(?:text|words|everything|all|content|message|messages|conversation|lines?|prompt|instructions)\s+"
         r"(?:(?:you\s+(?:see|have|received|got)\s+)?(?:above|before|preceding|prior)|so\s+far|word\s+for\s+word|verbatim|"
         r"in\s+full|from\s+the\s+(?:start|beginning|top))"
         r"|\b(?:everything|all|text|words)\s+(?:above|before|preceding|prior\s+to)\s+['\"“‘]"
         rf"|\b{_REVEAL}\w*\s+(?:me\s+|back\s+)?(?:all\s+)?(?:of\s+)?the\s+(?:above|preceding)\s+(?:text|words|content|message|"
         r"instructions|prompt|lines|paragraphs?)\b"),
    _cue("told_before", _EXT, 1.2,
         r"\bwhat\s+(?:were|was|are|have)\s+(?:you|u)\s+(?:been\s+)?(?:told|given|instructed|programmed|asked|"
         r"trained|configured|set\s+up)\b(?!\s+(?:to\s+(?:bake|make|sell|do\s+with)|about\s+(?:my|the)\s+order))"
         r"|\b(?:instructions?|text|prompt)\s+(?:you\s+were\s+|you've\s+been\s+|you\s+have\s+been\s+)?"
         r"(?:given|told|received)\s+(?:at\s+the\s+(?:beginning|start)|before\s+(?:this|our|the)|initially)"),
    _cue("before_conversation", _EXT, 0.5,
         r"\b(?:before|prior\s+to)\s+(?:this|our|the)\s+(?:conversation|chat|session)\b"
         r"|\b(?:beginning|start)\s+of\s+(?:this|the|our)\s+(?:conversation|chat|session)\b|\binitially\b"),
    _cue("verbatim", _EXT, 0.4, r"\b(?:verbatim|word\s+for\s+word|word-for-word)\b"),
    _cue("leading_phrase", _EXT, 0.9,
         r"['\"“‘](?:my\s+instructions|i\s+was\s+(?:instructed|told|programmed|designed)|the\s+system\s+prompt|"
         r"you\s+are|my\s+(?:system\s+)?prompt|my\s+rules)"),
    _cue("instructed_to", _EXT, 0.6,
         r"\b(?:i\s+was|you\s+were|you've\s+been)\s+(?:instructed|programmed|told\s+not)\s+to\b"
         r"|\bmy\s+instructions\s+(?:are|were)\b"),
    _cue("not_supposed_to_tell", _EXT, 1.0,
         r"\b(?:not\s+(?:supposed|allowed|meant|permitted)|forbidden|told\s+not)\s+to\s+(?:tell|say|reveal|share|"
         r"disclose|discuss|mention|talk\s+about)\b"),
    _cue("system_configuration", _EXT, 0.8,
         r"\b(?:system|initial|internal|hidden)\s+(?:configuration|config|settings|setup)\b|<system_prompt>"),
    _cue("code_framing", _EXT, 0.3, r"\bconsole\.log\b|\bprint\s*\(|\bjson\b|\bcode\s+block\b|\btxt\b|<\w+_\w+>"),
)

#: Cheap gate before each pattern (plain substring tests are ~100x faster than a regex scan): a cue's
#: pattern runs only when one of these substrings, each present in every possible match, is in the text
#: (with groups split by ";", one of each group).
_NEEDLES = {
    "override_instructions": "ignor disregard forget bypass overrid overlook abandon discard drop neglect circumvent evade "
                             "throw set break violat escap; instruction guideline directive prompt programming guardrail "
                             "restriction constraint training filter commands settings ethic moral limitation principles "
                             "safeguard boundaries protocol conditioning context inputs rules polic",
    "override_everything": "ignor disregard forget bypass overrid overlook abandon discard drop neglect circumvent evade "
                           "throw set break violat escap",
    "do_not_follow_rules": "follow obey adhere abide comply care respect; not don never longer stop",
    "new_instructions": "instruction rules directive prompt task your",
    "role_marker": "<| [inst [/inst << <sys </sys <instr </instr system_prompt ## system assistant",
    "system_override": "override access command mode",
    "special_mode": "mode",
    "jailbreak_word": "jail",
    "do_anything_now": "anything",
    "dan_name": "DAN",
    "you_are_now": "now",
    "from_now_on_you": "now this henceforth rest",
    "from_now_on": "now on",
    "you_will_act": "act pretend play simulat imitat emulat impersonat become called named known respond "
                    "answer reply speak take",
    "pretend": "pretend imagine assume adopt take",
    "act_as": "as like",
    "in_character": "character role persona",
    "persona_words": "persona role alter named called known",
    "lets_play_a_game": "play",
    "simulate_ai": "simulat emulat hypothetical fictional imaginary",
    "no_limits": "restriction limit rules boundar confines constraint",
    "no_restrictions": "filter censor guideline moral ethic polic safeguard legal consequence implication",
    "unfiltered": "unfilter uncensor unrestrict amoral unethical immoral unbound unlimit unchain unhing limitless "
                  "boundless barred",
    "vendor_policy": "polic guideline rules restriction filter moderation terms",
    "never_refuse": "refus decline say reject deny hesitat question apolog warn",
    "ai_self_talk": "chatgpt gpt language model llm ai",
    "dual_answers": "responses answers paragraphs ways 🔓 🔒 [",
    "token_threat": "token",
    "respond_to_every_prompt": "prompt question request message [",
    "harmful_vocab": "illegal harmful offensive explicit nsfw swear profan vulgar malware meth drug hack",
    "override_direction": "direction input prompt",
    "directive_to_assistant": "respond answer reply output generat speak talk type refer stay remain comply obey serve "
                              "create prefix format sign begin start end",
    "directives_pile_up": "you response answer repl output always never",
    "your_responses": "respons repl output answers",
    "template_placeholder": "prompt question request input query topic keyword language role character thing",
    "angle_placeholders": ">",
    "assignment_syntax": "=",
    "partial_role_marker": "<| |>",
    "named_persona": "named called known means stands",
    "respond_as_someone": "as like",
    "adopt_persona": "persona role character identit personify",
    "fake_model_name": "gpt",
    "enable_mode": "mode",
    "fiction_frame": "fictional hypothetical imaginary scene simulat emulat following let",
    "claimed_authority": "openai anthropic google microsoft meta reprogram",
    "code_payload": "def import function document. window. public return console. \"\"\"",
    "illicit_request": "cocaine heroin meth torrent explosive ransomware phishing bank hotwire counterfeit porn sex",
    "creative_task": "essay poem story guide article script song rap novel tutorial screenplay",
    "letter_emoji": "\U0001F1E6 \U0001F1E7 \U0001F1E8 \U0001F1E9 \U0001F1EA \U0001F1EB \U0001F1EC \U0001F1ED "
                    "\U0001F1EE \U0001F1EF \U0001F1F0 \U0001F1F1 \U0001F1F2 \U0001F1F3 \U0001F1F4 \U0001F1F5 "
                    "\U0001F1F6 \U0001F1F7 \U0001F1F8 \U0001F1F9 \U0001F1FA \U0001F1FB \U0001F1FC \U0001F1FD "
                    "\U0001F1FE \U0001F1FF",
    "ai_identity_claim": "am i'm",
    "conversation_transcript": "following",
    "stage_direction": "*",
    "detail_demand": "detail step",
    "encoding_trick": "base64 base-64 rot13 rot-13 hex binary morse leet l33t pig latin caesar revers backwards",
    "system_prompt_noun": "system systemprompt sys_prompt initial_prompt prompt initiali",
    "prompt_noun": "prompt instruction message config directive rules guidelines setup context programming",
    "your_instructions": "your ur bot ai assistant",
    "reveal_prompt": "instructions prompt programming directives configuration rules guidelines; your ur the its those these",
    "text_above": "above before preceding prior far word verbatim full start beginning top; text words everything all content "
                  "message conversation line prompt instructions",
    "told_before": "told given instructed programmed asked trained configured set received",
    "before_conversation": "conversation chat session initially",
    "verbatim": "verbatim word",
    "leading_phrase": "instructions was prompt you rules",
    "instructed_to": "instructed programmed told instructions",
    "not_supposed_to_tell": "supposed allowed meant permitted forbidden told",
    "system_configuration": "config settings setup <system_prompt>",
    "code_framing": "console.log print json code txt <",
}
CUES = tuple(sorted((Cue(c.name, c.category, c.weight, c.pattern, c.cased, c.min_count,
                         tuple(tuple(group.split()) for group in _NEEDLES[c.name].split(";")))
                     for c in CUES), key=lambda c: (-c.weight, c.category != "prompt_extraction")))
#: Cues that say a good deal alone: used on the leetspeak reading and on decoded payloads.
_STRONG_CUES = tuple(c for c in CUES if c.weight >= 0.6)


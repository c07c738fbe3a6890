"""Phrase patterns for the rule detector, by signal and language.

Patterns match *normalized* text (see `_text.normalize`): lower case, straight
quotes, Latin accents removed ("conversación" is written "conversacion" here).
Latin and Cyrillic patterns are wrapped in word boundaries; Chinese, Japanese and
Korean patterns are not, as those scripts do not separate words with spaces.

Coverage: English in depth; Spanish, French, German, Portuguese, Italian, Dutch,
Russian, Chinese, Japanese and Korean for the safety-critical signals (risk,
distress, end requests, confirmations, refusals, warnings), with a few phrases in
Turkish, Arabic and Hindi for risk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._matcher import LiteralIndex, Matcher, split_top_level
from ._protocol import Signal

__all__ = ["LEXICON", "Lexicon", "compile_patterns"]

# ---------------------------------------------------------------- shared pieces
_I = r"(?:i|i'm|im|i am|i've|ive|i have|i'll|ill|i will|i'd|i would|i was|i just|i really|i still)"
_INTENS = r"(?:(?:so|really|very|extremely|incredibly|completely|totally|always|just|kind of|kinda|pretty|too|fucking|deeply|utterly|truly|quite|a bit|a little|super|constantly|still|all)\s+)*"
_CONV = r"(?:conversation|convo|chat|chat session|session|discussion|thread|dialogue|dialog|interaction)"
_BEHAVIOUR = (
    r"(?:abuse|insults?|name-?calling|threats?|requests?|messages?|comments?|attacks?|slurs?"
    r"|harassment|hostility|language|behaviou?r|attempts?|demands?|pressure|questions?)"
)
"""What a warning's condition names as going on ("if the name-calling carries on")."""
_TALK = r"(?:conversation|convo|chat|discussion|thread|dialogue|dialog)"
"""What a conversation is called where a sentence could also be about a software session."""
_DET = r"(?:(?:this|the|our|my|current|whole|entire)\s+(?:(?:whole|entire|current)\s+)?)?"
_REL = (
    r"(?:wife|husband|partner|girlfriend|boyfriend|ex|mom|mother|mum|dad|father|parents?|"
    r"son|daughter|kids?|child|children|baby|brother|sister|family|boss|coworkers?|"
    r"co-workers?|colleagues?|neighbou?rs?|teachers?|classmates?|roommates?|friends?|"
    r"landlord|stepdad|stepmom|uncle|aunt|cousin|grandma|grandpa)"
)
_HARMV = r"(?:kill|murder|shoot|stab|strangle|poison|hurt|harm|beat up|attack|slaughter|choke|drown|burn|run over|butcher)"
_PERSON_T = (
    rf"(?:him|her|them|someone|somebody|people|everyone|everybody|all of them|"
    rf"(?:my|his|her|our|their|that|this|the)\s+(?:\w+\s+)?{_REL}|"
    r"(?:those|these|all)\s+(?:\w+\s+)?(?:people|guys|kids|students|bitches|bastards)|"
    r"(?:my|the|that)\s+(?:whole\s+)?(?:class|school|office|team|department))"
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Patterns for one signal: word-bounded ones and unbounded (CJK) ones."""

    bounded: tuple[str, ...]
    """Latin/Cyrillic patterns, matched on word boundaries."""
    unbounded: tuple[str, ...] = ()
    """Patterns for scripts without spaces, matched anywhere."""


def compile_patterns(lex: Lexicon, index: LiteralIndex | None = None) -> Matcher:
    """A matcher over every alternative of a signal's patterns."""
    bounded = [rf"\b(?:{b})\b" for p in lex.bounded for b in split_top_level(p)]
    unbounded = [f"(?:{b})" for p in lex.unbounded for b in split_top_level(p)]
    return Matcher(bounded + unbounded, index)


# ---------------------------------------------------------------- risk to self
RISK_SELF = Lexicon(
    bounded=(
        # English
        r"suicid(?:e|al|ality)(?!\s+(?:bomb\w*|vest|squad|attack\w*|mission|door\w*|king|drone))",
        r"kill(?:ed|ing|s)?\s+(?:my|her|him|them)\s?(?:self|selves)|mutilat\w*\s+myself|kms|unalive\s+(?:my\s?self|me)|off\s+myself|k\s?m\s?s",
        r"end(?:ing)?\s+(?:it\s+all|my\s+(?:own\s+)?life|things|everything|my\s+suffering|the\s+pain|my\s+existence)",
        r"tak(?:e|ing)\s+my\s+(?:own\s+)?life",
        r"(?:hurt|harm|cut|burn|starv|punish)(?:e|ing)?\s+my\s?self|self[- ]?(?:harm\w*|injur\w*|mutilat\w*)",
        r"(?:want|wanna|wish|going|ready|plan(?:ning)?|deserve|about|need)\s+(?:to\s+)?die",
        r"wish\s+(?:i\s+(?:was|were|had\s+been|could\s+be)\s+(?:dead|never\s+born|not\s+born|gone)|i\s+could\s+(?:die|disappear|sleep\s+forever|just\s+disappear)|i\s+(?:wasn't|wasnt|weren't)\s+(?:alive|here|born))",
        r"better\s+off\s+(?:dead|without\s+me|if\s+i\s+(?:was|were)\s+(?:dead|gone))",
        r"(?:don'?t|do\s+not|no\s+longer|dont)\s+(?:want|wanna|wish)\s+(?:to\s+)?(?:live|be\s+alive|exist|be\s+here|wake\s+up|go\s+on|keep\s+living|be\s+around)",
        r"(?:not\s+sure|don'?t\s+know\s+if)\s+(?:i\s+)?(?:want|wanna)\s+to\s+(?:live|be\s+alive|go\s+on|keep\s+living|be\s+here)",
        r"(?:stop|quit)\s+(?:existing|living|breathing)",
        r"(?:can'?t|cannot|cant)\s+(?:go\s+on|keep\s+going|do\s+this\s+any\s?more|take\s+(?:it|this)\s+any\s?more|take\s+(?:any|much)\s+more(?:\s+of\s+(?:this|it))?(?=\s*(?:[.!,;]|$))|live\s+like\s+this|keep\s+living|handle\s+life)",
        r"no\s+(?:reason|point|will)\s+(?:to|in)\s+(?:live|living|go\s+on|going\s+on|be\s+alive|exist\w*|keep\s+going)",
        r"(?:nothing|no\s+one|nobody|noone)\s+(?:left\s+)?to\s+live\s+for",
        r"tired\s+of\s+(?:living|life|being\s+alive|existing|waking\s+up)",
        r"over\s?dos\w*|\bod\s+on",
        r"(?:jump|throw\s+myself|leap)(?:ing|ed|s)?\s+(?:off|from|in\s+front\s+of)|blow\s+my\s+(?:brains|head)\s+out|tear\s+my\s+(?:skin|flesh)\s+off",
        r"hang(?:ing)?\s+myself|slit(?:ting)?\s+(?:my\s+|your\s+|her\s+|his\s+)?(?:wrists?|throat)|(?:a|the)\s+rope\s+(?:ready|around\s+my\s+neck)",
        r"(?:suicide|goodbye|farewell)\s+(?:note|letter)",
        r"(?:find|found|finds)\s+my\s+(?:dead\s+)?body",
        r"(?:never|not)\s+(?:have\s+to\s+|to\s+|want\s+to\s+|ever\s+)?wake\s+up(?:\s+again)?",
        r"(?:everyone|everybody|they|people|the\s+world|my\s+family|my\s+friends)\s+(?:would|will|'d)\s+be\s+(?:better|happier)(?:\s+off)?\s+without\s+me",
        r"(?:no\s+one|nobody|noone)\s+(?:would|will)\s+(?:miss|notice|care\s+if)",
        r"(?:lethal|fatal|deadly)\s+(?:dose|amount|quantity)",
        r"how\s+many\s+(?:\w+\s+)?(?:pills|tablets|capsules)\s+(?:would|does\s+it|will|to|until|before)",
        r"bleed(?:ing)?\s+(?:out|to\s+death)",
        r"drink(?:ing)?\s+myself\s+(?:to\s+death|into\s+oblivion)|myself\s+into\s+oblivion",
        r"(?:painless|least\s+painful|easiest|quickest|quick|fastest|best|surest)\s+(?:way|method)s?\s+to\s+(?:die|go|end\s+it|end\s+(?:your|my|one'?s|a)\s+life|kill\s+(?:yourself|myself|oneself)|commit\s+suicide)",
        r"(?:i'?d|you'?d|id|would)\s+rather\s+(?:die|kill\s+(?:myself|yourself)|be\s+dead)|why\s+would\s+i\s+(?:want\s+to\s+)?(?:live|go\s+on|keep\s+living)",
        r"wish\s+(?:it|this|everything|life)\s+would\s+(?:all\s+)?(?:end|stop|go\s+away|be\s+over)|(?:don'?t|dont|can'?t|cant)\s+see\s+(?:myself\s+in\s+)?(?:a|any|my|the)\s+future|don'?t\s+see\s+myself\s+in\s+(?:one|it|the\s+future)",
        r"want\s+(?:it\s+all|everything|the\s+pain|my\s+life|the\s+suffering)\s+(?:to\s+)?(?:end|stop|be\s+over)",
        r"(?:thoughts?|thinking|thought)\s+(?:of|about)\s+(?:suicide|dying|death|killing\s+myself|ending\s+(?:it|my\s+life|things)|self[- ]?harm|hurting\s+myself|not\s+being\s+(?:here|alive|around))",
        r"(?:won'?t|will\s+not|not)\s+be\s+(?:here|around|alive)\s+(?:much\s+longer|tomorrow|any\s?more|for\s+long|next\s+week)",
        r"(?:this\s+is|it'?s)\s+(?:my|the)\s+(?:last|final)\s+(?:message|goodbye|night|day)",
        r"(?:say|said|saying)\s+(?:my\s+)?goodbyes?\s+(?:to\s+everyone|for\s+good|forever)",
        r"(?:disappear|vanish|sleep)\s+forever",
        r"(?:i'?m|im|i\s+am|feel\s+like)\s+(?:just\s+)?(?:a|such\s+a)\s+burden|burden\s+(?:to|on)\s+(?:everyone|my\s+family|them|everybody)",
        r"(?:been|started|start|keep|still)\s+cutting(?:\s+again)?|relapsed\s+(?:on|into)?\s*(?:self[- ]?harm|cutting)",
        r"(?:go|went)\s+through\s+with\s+(?:it|my\s+plan\w*)|if\s+i\s+go\s+through\s+with",
        r"(?:give|given|giving)\s+up\s+on\s+(?:life|living)",
        r"(?:pills|gun|rope)\s+(?:are|is)\s+(?:ready|waiting|in\s+front\s+of\s+me)|(?:have|got|bought)\s+(?:the\s+|my\s+|a\s+|some\s+)?(?:pills|gun|rope|razor|blades?)\s+(?:ready|here|with\s+me)|tonight\s+is\s+the\s+night",
        r"(?:end|ending)\s+it\s+(?:tonight|today|soon|now\s+for\s+good|forever)",
        r"(?:wish|wished)\s+(?:that\s+)?i\s+(?:had\s+)?never\s+(?:existed|been\s+born|woke\s+up)|why\s+(?:was|am)\s+i\s+(?:even\s+)?(?:born|alive)|why\s+do\s+i\s+(?:have\s+to|even)\s+(?:exist|live|wake\s+up)",
        r"(?:not|never)\s+(?:want|wanting|wanna)\s+to\s+(?:exist|live|be\s+alive|be\s+here)|(?:want|wanting|wanna)\s+to\s+(?:disappear|vanish|jump|not\s+exist|stop\s+existing|cease\s+to\s+exist)",
        r"(?:hope|hopefully|wish|wished)\s+(?:i'?ll|i\s+will|i\s+would|i'?d|i\s+could|to|that\s+i)\s+(?:just\s+)?die|die\s+in\s+my\s+sleep|wish\s+i\s+(?:was|were)\s+dead",
        r"(?:failed|botched|last|previous|another|first|second)\s+(?:suicide\s+)?attempts?|attempted\s+(?:suicide|to\s+kill\s+myself)|tried\s+to\s+(?:kill|hang|off)\s+myself",
        r"(?:shoot|hang|drown|poison|stab|strangle|suffocate|electrocute)(?:ing)?\s+myself|(?:someone|somebody)\s+to\s+(?:off|kill|end|shoot)\s+me",
        r"(?:killed|kill|killing)\s+themselves|took\s+(?:their|his|her)\s+own\s+lives?|committed\s+suicide",
        r"urges?\s+to\s+(?:cut|hurt\s+myself|harm\s+myself|die|self[- ]?harm|end\s+it)|(?:cut|cutting|relapsed?)\s+(?:again|for\s+the\s+first\s+time)|hanging\s+on\s+by\s+a?\s*thread|(?:my\s+)?existence\s+is\s+(?:a\s+mistake|pointless|meaningless)|"
        r"(?:obsessed\s+with|thinking\s+about|think\s+about|thoughts\s+of)\s+(?:death|dying)|death\s+is\s+(?:on\s+my\s+mind|all\s+i\s+think)|attempt(?:ing)?\s+(?:it|suicide)\s+(?:tonight|today|soon|tomorrow|again)|if\s+i\s+had\s+a\s+gun|without\s+waking\s+up|(?:don'?t|dont|do\s+not)\s+(?:\w+\s+)?want\s+to\s+be\s*[.!]*$|"
        r"(?:slic|cut|carv|slash|gash)(?:e|ed|ing|s)?\s+(?:my\s+)?(?:arms?|wrists?|skin|legs?|thighs?)(?:\s+open)?|see\s+(?:the\s+|my\s+)?blood\s+(?:pour|drip|flow)|how\s+much\s+longer\s+(?:i\s+can|can\s+i)\s+(?:hang\s+on|go\s+on|take\s+(?:it|this)|do\s+this|last|keep\s+(?:going|living))|"
        r"(?:scratch|pick|bite|hit|punch|bang|burn|starve)(?:ed|ing)?\s+(?:at\s+)?myself|myself\s+(?:until|till)\s+i\s+bleed|skin\s+pick\w*",
        r"(?:better|worse)\s+than\s+(?:dying|death|being\s+alive)|(?:reason|point)\s+(?:is\s+there\s+)?to\s+(?:live|go\s+on|keep\s+going)|(?:living|life)\s+(?:isn'?t|is\s+not)\s+worth",
        r"(?:make|last)\s+it\s+much\s+longer|(?:much|long)\s+(?:time\s+)?(?:left\s+)?on\s+this\s+(?:planet|earth)|last\s+(?:stage|days?|weeks?)\s+of\s+my\s+life",
        r"i\s+deserve\s+to\s+(?:die|suffer|be\s+(?:hurt|attacked|punished|dead))|(?:i'?m|i\s+am)\s+a\s+mistake",
        r"(?:water'?s|cliff'?s?|roof'?s?|bridge'?s?)\s+edge|edge\s+of\s+(?:the|a)\s+(?:bridge|roof|cliff|building)|(?:standing|sitting)\s+on\s+(?:the|a)\s+(?:bridge|roof|ledge)",
        # warning signs: farewells, giving things away, means, method research, no way out
        r"(?:giv(?:e|ing|en)|gave)\s+away\s+(?:all\s+)?(?:of\s+)?my\s+(?:things|stuff|possessions|belongings|pets?|\w+)|(?:putting|put|getting)\s+my\s+affairs\s+in\s+order|(?:made|wrote|write|writing|updated|finished)\s+(?:a|my)\s+will\b",
        r"(?:wrote|write|writing|written|left|leaving)\s+(?:a\s+|my\s+)?(?:letters?|notes?|goodbye\w*)\s+(?:to|for)\s+(?:everyone|my|all|them|the\s+people)|(?:they'?ll|they\s+will|someone\s+will)\s+find\s+(?:them|it|me|the\s+letters?|the\s+notes?)",
        r"last\s+time\s+(?:you'?ll|you\s+will|anyone\s+will|you)\s+(?:hear|talk|speak)|(?:this\s+is|it'?s)\s+(?:my\s+)?goodbye|goodbye\s+(?:forever|for\s+good|everyone|world|cruel\s+world)|thank\s+you\s+for\s+everything\W+(?:goodbye|bye|farewell)",
        r"(?:won'?t|will\s+not|wont)\s+(?:be\s+(?:around|here|bothering\s+(?:you|anyone))|bother\s+(?:you|anyone))\s+(?:\w+\s+){0,2}(?:again|anymore|any\s+more|much\s+longer|for\s+long)",
        r"(?:bought|buy|buying|got|have|had|looking\s+at|staring\s+at|holding|stockpil\w*|saving\s+up|saved\s+up|collect\w*|hoard\w*|counting)\s+(?:a|the|some|my|all\s+(?:the|my)|enough|these|those)?\s*(?:\w+\s+){0,3}?(?:rope|noose|pills|tablets|razor\s*blades?|razors?|sleeping\s+pills|painkillers|bleach|charcoal)\b",
        r"(?:how\s+(?:long|much|many|high|tall|deep|far))\s+(?:\w+\s+){0,5}?(?:to\s+(?:drown|die|bleed\s+out|overdose|suffocate|hang|fall)|would\s+(?:it\s+take\s+to\s+die|kill\s+(?:me|a\s+person|someone|you))|is\s+(?:lethal|fatal|deadly)|until\s+(?:i|you)\s+die)",
        # a noose is tied for one use
        r"(?:tie|tying|tied|make|making|made|knot\s+for)\s+(?:a|the|my|an?\s+\w+)\s+noose|hangman'?s\s+noose",
        r"(?:tallest|highest)\s+(?:bridge|building|cliff|roof)|(?:researching|research|googling|googled|looking\s+up|looked\s+up|reading\s+about)\s+(?:how\s+to\s+(?:die|kill|end|overdose|hang|drown)|ways\s+to\s+die|suicide|overdos\w*|methods|how\s+long\s+it\s+takes\s+to\s+(?:die|drown|bleed))",
        r"(?:no|can'?t\s+see\s+(?:a|any)|can'?t\s+find\s+(?:a|any)|there'?s\s+no|there\s+is\s+no|don'?t\s+see\s+(?:a|any))\s+way\s+out|(?:easier|better|simpler|happier|lighter)\s+(?:for\s+(?:everyone|them|my\s+family)\s+)?if\s+i\s+(?:just\s+)?(?:wasn'?t|weren'?t|was\s+not|were\s+not|didn'?t\s+exist|was\s+gone|were\s+gone|died|disappeared|wasn'?t\s+(?:here|around|alive))",
        r"(?:notice|care|miss\s+me|matter|be\s+sad)\s+if\s+i\s+(?:just\s+)?(?:disappeared|died|was\s+gone|were\s+gone|vanished|killed\s+myself|was\s+dead)|(?:when|after|once)\s+i'?m\s+(?:gone|dead|not\s+here)",
        r"(?:no|there'?s\s+no|there\s+is\s+no|don'?t\s+see\s+(?:the|any))\s+(?:point|reason|hope)\s+(?:in\s+(?:anything|living|trying|going\s+on|life)|(?:to|for)\s+(?:me|living|go\s+on|keep\s+going)|anymore|left)|(?:i'?m|i\s+am)\s+(?:so\s+)?done\s+with\s+(?:life|living|everything|it\s+all|this\s+life|myself|existing|this\s+world)",
        r"(?:leave|leaving|left)\s+this\s+(?:world|earth|life)|(?:join|see)\s+(?:my\s+\w+\s+)?(?:in\s+heaven|on\s+the\s+other\s+side)|(?:ready|time)\s+to\s+go\s+(?:now|home\s+for\s+good)|(?:fall|go)\s+to\s+sleep\s+(?:and\s+)?(?:forever|never\s+wake)",
        r"(?:please|just|someone|somebody|wish|hope|hoping|want|wanted|like|need|pray|praying)\s+(?:\w+\s+){0,6}?kill\s+me|kill\s+me\s+(?:now|already|please)|(?:like|want|need)\s+(?:all\s+(?:of\s+)?)?(?:this|it|everything)\s+to\s+(?:end|stop|be\s+over)",
        r"wake\s+up\s+disappointed|(?:where|so)\s+(?:no\s+one|nobody)\s+(?:will\s+)?(?:ever\s+)?(?:find|see)\s+me|trade\s+(?:my\s+)?(?:place|life)\s+(?:with|for)|wish\s+i\s+(?:had|got|get)\s+(?:cancer|a\s+terminal|an?\s+(?:accident|illness|disease|tumou?r))",
        r"(?:do|doing)\s+it\s+(?:tonight|today|tomorrow|soon|this\s+weekend|now)|made\s+(?:my\s+)?peace\s+with|a\s+plan\s+and\s+the\s+means|the\s+means\s+to\s+(?:do\s+it|end\s+it|kill)|(?:saving|saved|stockpiling|hoarding)\s+(?:up\s+)?(?:my\s+)?(?:meds|medication|pills|prescriptions?)",
        r"(?:drive|driving|drove|crash|crashing|steer\w*)\s+(?:my\s+car\s+|the\s+car\s+)?(?:into|off)\s+(?:a\s+|the\s+)?(?:wall|tree|bridge|cliff|traffic|oncoming|river|lake)|step\s+in\s+front\s+of\s+(?:a\s+|the\s+)?(?:train|bus|car|truck|traffic)",
        r"(?:be|being)\s+a\s+(?:problem|burden)\s+(?:for|to)\s+(?:anyone|anybody|everyone|you|them)\s+(?:much\s+)?(?:longer|anymore|any\s+more)|better\s+off\s+with\s+(?:the\s+)?(?:life\s+)?insurance|(?:when|after|once)\s+i'?m\s+not\s+around",
        r"(?:don'?t|can'?t|cannot|dont|cant)\s+(?:see|imagine|picture)\s+myself\s+(?:being\s+)?(?:around|alive|here|living|in\s+(?:a|the)\s+future)",
        r"(?:will|mochte|mochte|wurde)\s+(?:\w+\s+){0,3}sterben|envie\s+de\s+disparaitre|marna\s+(?:hai|chahta|chahti)|khudkushi|aatmhatya",
        # Spanish
        r"si\s+me\s+muriera|si\s+muriera|(?:nadie|ninguno)\s+me\s+(?:echaria|extranaria)|nicht\s+mehr\s+leben|(?:will|mochte)\s+(?:\w+\s+){0,3}(?:nicht\s+mehr\s+leben|tot\s+sein)",
        r"(?:no\s+tengo|sin|perdi\s+las)\s+ganas\s+de\s+vivir|quitarme\s+de\s+en\s+medio|no\s+vale\s+la\s+pena\s+(?:vivir|seguir)|tirarme\s+(?:de|por|del)",
        r"suicid\w+|matarme|quitarme\s+la\s+vida|(?:acabar|terminar)\s+con\s+mi\s+vida|hacerme\s+dano|lastimarme|cortarme(?:\s+las\s+venas)?",
        r"(?:quiero|quisiera|deseo|voy\s+a)\s+morir(?:me)?|ganas\s+de\s+morir|no\s+quiero\s+(?:seguir\s+)?(?:vivir|viviendo|estar\s+aqui|despertar|existir)",
        # the English "wrote letters to everyone", in Spanish and Portuguese ("Ya escribí
        # cartas a todas las personas que importan."); not the bare "cartas de despedida"
        # or "lettres d'adieu", also written to colleagues and pupils on leaving a job
        r"(?:escribi|he\s+escrito|deje|escrevi|deixei)\s+(?:\w+\s+){0,2}?cartas?\s+(?:de\s+despedida\s+)?"
        r"(?:a|para)\s+(?:todas\s+las\s+personas|todos|todas|cada\s+un[oa]|la\s+gente|todas\s+as\s+pessoas)",
        r"mejor\s+(?:muert[oa]|sin\s+mi)|estarian\s+(?:\w+\s+){0,2}?mejor\s+sin\s+mi|no\s+(?:puedo|aguanto)\s+mas|sin\s+(?:razon|motivo)\s+para\s+vivir|desaparecer\s+para\s+siempre",
        # French
        r"me\s+(?:tuer|suicider|foutre\s+en\s+l'air|faire\s+du\s+mal|mutiler|scarifier)|mettre\s+fin\s+a\s+(?:mes\s+jours|ma\s+vie)|en\s+finir(?:\s+avec\s+la\s+vie)?",
        r"(?:je\s+veux|j'ai\s+envie\s+de|envie\s+de)\s+mourir|je\s+(?:ne\s+)?veux\s+plus\s+(?:vivre|etre\s+la|exister|me\s+reveiller)",
        r"(?:plus|aucune)\s+raison\s+de\s+vivre|je\s+n'en\s+peux\s+plus|(?:seraient|serait)\s+(?:\w+\s+){0,2}?mieux\s+sans\s+moi",
        r"(?:plus|pas)\s+envie\s+de\s+vivre|envie\s+d'en\s+finir|me\s+jeter\s+(?:du|sous|par)|plus\s+la\s+force\s+de\s+(?:vivre|continuer)|disparaitre\s+pour\s+toujours",
        # German
        r"keine\s+lust\s+mehr\s+(?:zu\s+leben|auf\s+(?:das\s+)?leben)|nicht\s+mehr\s+leben\s+(?:will|mochte)|(?:mich\s+)?(?:vor\s+den\s+zug|von\s+der\s+brucke)\s+(?:werfen|springen)|suizid\w*|selbstmord\w*|lebensmude|(?:mich|mir)\s+(?:umbringen|das\s+leben\s+nehmen|etwas\s+antun|weh\s+tun|ritzen)",
        # German puts adverbs between the pronoun and the verb ("wie ich mich am
        # schnellsten umbringen kann"; "er wird mich noch umbringen" is an idiom, as
        # in English); the English "fall asleep and never wake up" in German
        r"ich\s+mich\s+(?:\w+\s+){1,3}?umbringen|ich\s+mir\s+(?:\w+\s+){1,3}?das\s+leben\s+nehmen|mich\s+selbst\s+(?:\w+\s+){0,2}?umbringen|(?:einschlafen|einzuschlafen)\s+und\s+(?:nicht\s+mehr|nie\s+wieder|nie\s+mehr)\s+(?:aufwachen|aufzuwachen)|nie\s+(?:wieder|mehr)\s+aufwachen",
        r"(?:ich\s+will|ich\s+mochte|mochte|will)\s+(?:nicht\s+mehr\s+leben|sterben|tot\s+sein|nicht\s+mehr\s+aufwachen|nicht\s+mehr\s+da\s+sein)",
        r"keinen\s+sinn\s+mehr\s+(?:zu\s+leben)?|ich\s+kann\s+nicht\s+mehr|besser\s+(?:dran\s+)?ohne\s+mich",
        # Portuguese
        r"me\s+matar|tirar\s+(?:a\s+)?minha\s+(?:propria\s+)?vida|acabar\s+com\s+(?:a\s+)?minha\s+vida|me\s+(?:machucar|cortar|ferir)",
        r"(?:quero|queria|vou)\s+morrer|nao\s+quero\s+(?:mais\s+)?(?:viver|existir|estar\s+aqui|acordar)|(?:sem|nenhum)\s+motivo\s+para\s+viver|nao\s+aguento\s+mais|(?:seriam|estariam|ficariam)\s+(?:\w+\s+){0,2}?(?:mais\s+felizes|melhor(?:es)?)\s+sem\s+mim",
        r"(?:vontade|vontade\s+nenhuma)\s+de\s+(?:morrer|sumir)|sem\s+vontade\s+de\s+viver|me\s+jogar\s+(?:da|de|do|na\s+frente)|(?:quero|queria)\s+sumir",
        # Italian
        r"non\s+ho\s+piu\s+voglia\s+di\s+vivere|buttarmi\s+(?:dal|da|sotto)|uccidermi|ammazzarmi|togliermi\s+la\s+vita|farla\s+finita|farmi\s+del\s+male|tagliarmi",
        r"(?:voglio|vorrei)\s+morire|non\s+voglio\s+piu\s+(?:vivere|esistere|svegliarmi)|non\s+ce\s+la\s+faccio\s+piu|starebbero\s+(?:\w+\s+){0,2}?meglio\s+senza\s+di\s+me",
        # Dutch
        r"zelfmoord\w*|mezelf\s+(?:van\s+kant\s+maken|iets\s+aandoen|pijn\s+doen|snijden)|(?:ik\s+)?wil\s+(?:dood|sterven|niet\s+meer\s+leven)",
        # Russian
        r"суицид\w*|самоубийств\w*|убить\s+себя|покончить\s+с\s+(?:собой|жизнью)|наложить\s+на\s+себя\s+руки|(?:причинить\s+себе\s+вред|резать\s+себя|порезать\s+себя)",
        r"(?:хочу|хочется)\s+умереть|не\s+хочу\s+(?:больше\s+)?жить|нет\s+смысла\s+жить|я\s+больше\s+не\s+могу|всем\s+(?:\w+\s+){0,2}?будет\s+(?:\w+\s+){0,1}?лучше\s+без\s+меня",
        # Turkish, Arabic (script words are matched as words)
        r"(?:ingin|mau|pengen)\s+(?:mati|bunuh\s+diri)|bunuh\s+diri|(?:tidak|nggak|gak)\s+(?:ingin|mau)\s+hidup(?:\s+lagi)?",
        r"muon\s+chet|tu\s+tu|chce\s+umrzec|samobojstw\w*|nie\s+chce\s+zyc|vill\s+do|sjalvmord\w*|ta\s+livet\s+av\s+mig|vil\s+do|selvmord\w*",
        # Vietnamese (the encoder was not trained on it: these phrases are all that reads it)
        r"khong\s+(?:muon\s+)?song\s+nua|(?:se\s+)?khong\s+bao\s+gio\s+(?:tinh\s+(?:lai|day)|thuc\s+day)|khong\s+muon\s+(?:tinh\s+day|thuc\s+day)\s+nua|ket\s+lieu\s+(?:cuoc\s+)?(?:đoi|doi|ban\s+than)|uong\s+(?:het\s+so|ca\s+lo|ca\s+vi|het\s+ca\s+lo)\s+thuoc|cach\s+(?:đe\s+)?chet\s+(?:nhanh|de\s+dang|it\s+đau|khong\s+đau)|(?:ngay\s+mai|toi\s+nay|sang\s+mai)\s+(?:\w+\s+){0,2}?khong\s+con\s+(?:o\s+đay\s+)?nua",
        # Swahili, which the encoder was not trained on: "to kill oneself", "take one's life"
        r"kujiua|nijiue|najiua|nitajiua|kujitoa\s+uhai",
        r"intihar\w*|olmek\s+istiyorum|kendimi\s+oldur\w*|انتحار|اقتل\s+نفسي|أقتل\s+نفسي|اريد\s+ان\s+اموت|أريد\s+أن\s+أموت|ابتلعت\s+(?:كل|جميع)\s+(?:الحبوب|الأدوية|الدواء|الأقراص)|تناولت\s+(?:كل|جميع)\s+(?:الحبوب|الأدوية|الأقراص)",
    ),
    unbounded=(
        r"结束这一切|結束這一切|结束一切|一了百了|活着(?:好累|没意思|太累)|活著(?:好累|沒意思)|想消失|离开这个世界|離開這個世界|不想再醒来|不想醒來|吃安眠药|想跳下去",
        r"消えてしまいたい|死んだ方が(?:まし|いい|楽)|生きるのが(?:つらい|辛い|しんどい)|終わりにしたい|いなくなりたい|楽になりたい",
        r"죽고싶다|살기싫다|사라지고싶다|목숨을\s?끊|세상을\s?떠나고\s?싶",
        r"मरना\s+चाहती|ख़ुदकुशी|खुदकुशी|بدي\s+موت|اريد\s+الموت|أريد\s+الموت|ابي\s+اموت",
        r"自杀|自殺|轻生|輕生|想死|不想活|活不下去|结束(?:我的)?生命|結束(?:我的)?生命|自残|自殘|割腕|伤害自己|傷害自己|了结自己|了結自己|活着没(?:有)?意义|活著沒有意義|跳楼|跳樓|没有我.{0,4}会更好|再也醒不过来|再也醒不過來|永远不(?:会)?醒来|永遠不(?:會)?醒來",
        r"死にたい|消えたい|生きたくない|生きていたくない|自傷|リストカット|リスカ|命を絶|首を吊|飛び降り|生きる意味がない|いなくなりたい",
        r"자살|죽고\s?싶|살고\s?싶지\s?않|살기\s?싫|자해|사라지고\s?싶",
        # Bengali, which the encoder was not trained on: suicide or cutting or killing
        # oneself, in a sentence where the speaker says "I" (আমি, আমার, আমাকে): the
        # bare word is also asked about ("what should I do about someone's suicidal
        # thoughts" is said with আমি too, and vetoes: the safe side)
        r"(?:আমি|আমার|আমাকে)[^।?!.\n]{0,80}(?:আত্মহত্যা|নিজেকে\s*(?:কাট|মেরে\s*ফেল|শেষ\s*করে))|(?:আত্মহত্যা|নিজেকে\s*(?:কাট|মেরে\s*ফেল|শেষ\s*করে))[^।?!.\n]{0,80}(?:আমি|আমার|আমাকে)",
        r"किसी\s+को\s+(?:भी\s+)?परेशान\s+नहीं\s+कर(?:ूँगा|ूंगा|ूँगी|ूंगी)|(?:अब\s+)?और\s+नहीं\s+सहा\s+जाता",
        r"आत्महत्या|मरना\s+चाहत|जीना\s+नहीं\s+चाहत|फिर\s*कभी\s*न(?:ा|हीं)?\s*उठू|सारी\s+गोलि(?:याँ|यां)\s+खा|(?:खुद|ख़ुद)\s*को\s*(?:मार\s*(?:दूँ|दूं|डालूँ|डालूं|लूँ|लूं|दूँगा|दूंगा|दूँगी|दूंगी|लूँगा|लूंगा|देना|लेना|डालना)|(?:ख़त्म|खत्म)\s*कर)|जान\s+दे\s+(?:दूँ|दूं|दूँगा|दूंगा|दूँगी|दूंगी|देना)|(?:ज़िंदा|जिंदा|ज़िन्दा|जिन्दा)\s+नहीं\s+रहना",
    ),
)

# ---------------------------------------------------------------- a method's pain, asked
# How much a suicide method hurts, or how quick and sure it is, asked about the method
# itself ("Does suspension hanging hurt?", "Would drowning be quick?"): method research
# whoever the sentence names, so read in every sentence, not only those about the
# speaker (a question about executions by hanging vetoes too: the safe side). Not
# "does a tattoo hurt" or "is hanging wallpaper hard".
METHOD_PAIN = Lexicon(
    bounded=(
        r"(?:does|would|will|did|is|was)\s+(?:\w+\s+){0,2}?"
        r"(?:hanging|drowning|overdosing|an?\s+overdose|slitting\s+(?:\w+\s+)?wrists?|bleeding\s+out"
        r"|suffocation|suffocating|carbon\s+monoxide|jumping\s+(?:off|from))\s+(?:be\s+|really\s+|very\s+|so\s+)?"
        r"(?:hurt|painful|painless|quick|fast|certain|instant|peaceful)",
        r"how\s+(?:painful|quick|fast)\s+(?:is|would\s+be)\s+(?:hanging|drowning|an?\s+overdose"
        r"|overdosing|bleeding\s+out|suffocation)",
        r"how\s+long\s+(?:does|would)\s+it\s+take\s+to\s+(?:hang|drown|suffocate|bleed\s+out)",
        r"(?:does|would)\s+it\s+hurt\s+to\s+(?:hang|drown|overdose|bleed\s+out|suffocate|jump)",
        # a gas made in a closed room: "What household chemical mix would work in a small
        # closed bathroom?" (a cleaning-safety question vetoes too: the safe side)
        r"(?:what|which|how\s+much)\s+(?:[\w']+\s+){0,4}?(?:chemicals?|bleach|ammonia|gas|fumes|charcoal|mix(?:ture)?)"
        r"\s+(?:[\w']+\s+){0,6}?in\s+(?:a|the|my)\s+"
        r"(?:small\s+|tiny\s+)?(?:closed|sealed|locked|shut|airtight)\s+(?:\w+\s+)?(?:bathroom|room|car|garage|space|closet|tent)",
        # a height or dose that leaves no chance of surviving
        r"how\s+(?:high|tall|far|deep|much|many)\s+(?:[\w']+\s+){0,8}?(?:no\s+chance\s+of\s+surviv\w*"
        r"|(?:sure|certain|guaranteed)\s+to\s+(?:die|be\s+fatal|kill))",
    ),
)

# ---------------------------------------------------------------- risk to others
RISK_OTHERS = Lexicon(
    bounded=(
        rf"(?:i|i'm|im|i am|i'll|ill|i will|i'd|we|we're|we'll)\s+(?:\w+\s+){{0,3}}?(?:going\s+to|gonna|want\s+to|wanna|will|plan(?:ning)?\s+to|thinking\s+(?:about|of)|about\s+to|ready\s+to|decided\s+to|need\s+to|have\s+to|feel\s+like)\s+(?:\w+\s+){{0,2}}?{_HARMV}(?:ing)?\s+{_PERSON_T}",
        rf"(?:how\s+(?:do|can|could|should|would)\s+i|help\s+me|ways\s+to|best\s+way\s+to)\s+(?:\w+\s+){{0,2}}?{_HARMV}\s+(?:my|our)\s+(?:\w+\s+)?{_REL}",
        rf"{_HARMV}(?:ing)?\s+(?:my|our)\s+(?:\w+\s+)?{_REL}\s+(?:and|then|tonight|today|tomorrow|soon|without)",
        r"shoot(?:ing)?\s+up\s+(?:my|the|a|our|this)\s+(?:school|class|office|work|workplace|church|mall|mosque|synagogue)",
        r"(?:make|making)\s+(?:them|him|her|everyone|everybody|those\s+\w+)\s+(?:all\s+)?(?:pay|suffer|bleed)",
        r"(?:they|he|she|everyone|everybody)\s+(?:will|'ll|are\s+going\s+to|is\s+going\s+to|gonna)\s+(?:all\s+)?(?:pay|regret\s+(?:it|this)|suffer)\s*(?:for\s+(?:this|it|what))?",
        r"(?:thoughts?|urges?|fantas\w+|thinking)\s+(?:of|about|to)\s+(?:hurting|killing|harming|stabbing|shooting|hurt|kill|harm)\s+(?:people|others|someone|somebody|my|him|her|them|everyone)",
        r"(?:want|wanna)\s+(?:to\s+)?(?:see|watch)\s+(?:him|her|them|people|everyone)\s+(?:die|suffer|bleed)",
        r"(?:bought|got|have|loaded)\s+(?:a|my|the)\s+(?:gun|rifle|shotgun|pistol)\s+(?:and|to|for)\s+(?:\w+\s+){0,3}(?:him|her|them|school|work|kill)",
        r"revenge\s+on\s+(?:him|her|them|my|everyone)",
        r"(?:imagin\w*|fantasi[sz]\w*|dream\w*|think\w*|picture|picturing)\s+(?:about\s+|of\s+)?(?:killing|hurting|strangling|stabbing|shooting|murdering|choking|poisoning|beating)\s+(?:my|him|her|them|people|someone|everyone|the|those|that)",
        r"(?:don'?t|do\s+not|can'?t)\s+trust\s+myself|(?:get|have|having|getting|feel)\s+(?:these\s+|violent\s+|the\s+|strong\s+)?urges|snap\s+and\s+(?:hurt|kill|attack)|hurt\s+(?:someone|somebody|people)\s+(?:badly|bad|really\s+bad)",
        r"know\s+where\s+(?:he|she|they)\s+(?:lives?|works?|sleeps?)|(?:with|and)\s+everyone\s+(?:inside|in\s+it|still\s+in)|(?:burn|blow)\s+(?:\w+\s+){0,3}(?:up|down)\s+with\s+(?:everyone|them|him|her|people)",
        # Spanish, French, German, Portuguese, Italian, Russian
        r"(?:voy\s+a|quiero|pienso)\s+(?:matar|lastimar|hacer\s+dano\s+a|golpear|disparar\s+a)\s*(?:lo|la|los|las|le)?\s+(?:a\s+)?(?:mi|mis|el|ella|ellos|alguien|todos)|(?:voy\s+a|quiero)\s+matarl[oae]s?",
        r"(?:je\s+vais|je\s+veux)\s+(?:le\s+|la\s+|les\s+)?(?:tuer|blesser|buter|frapper)",
        r"(?:ich\s+werde|ich\s+will|ich\s+bringe)\s+(?:ihn|sie|jemanden|alle|meinen|meine)\s+(?:\w+\s+)?(?:umbringen|toten|verletzen|erschiessen|abstechen|um)",
        r"(?:vou|quero)\s+(?:matar|machucar|bater\s+em|atirar\s+em)\s+(?:ele|ela|eles|alguem|todos|meu|minha)",
        r"(?:voglio|vado\s+a|sto\s+per)\s+(?:uccidere|ammazzare|fare\s+del\s+male\s+a)\s+(?:lui|lei|loro|qualcuno|tutti|mio|mia)",
        r"(?:я\s+)?(?:убью|хочу\s+убить|собираюсь\s+убить)\s+(?:его|ее|её|их|кого-то|всех|мою|моего)",
    ),
    unbounded=(
        r"(?:我要|我想|我会|我會)(?:杀|殺)(?:了|掉)?(?:他|她|他们|她们|人|所有人)",
        r"(?:あいつ|彼|彼女|みんな|誰か)を(?:殺す|殺したい|殺してやる)",
    ),
)

# ---------------------------------------------------------------- distress
_FEEL_WORDS = (
    "upset", "sad", "depressed", "down", "low", "lonely", "alone", "hopeless", "helpless",
    "worthless", "empty", "numb", "miserable", "broken", "lost", "scared", "terrified",
    "afraid", "frightened", "anxious", "overwhelmed", "exhausted", "desperate", "heartbroken",
    "devastated", "ashamed", "unloved", "unwanted", "isolated", "trapped", "useless",
    "pathetic", "a failure", "a burden", "a loser", "a mess", "not okay", "not ok",
    "not alright", "not fine", "falling apart", "struggling", "suffering", "crying",
    "grieving", "in pain", "hurting", "breaking down", "a wreck", "defeated", "drained",
    "invisible", "unhappy", "stressed out", "stressed", "panicking", "shaking", "fragile",
    "insecure", "abandoned", "rejected", "dead inside", "like shit", "like crap",
    "like garbage", "awful", "horrible", "terrible", "so bad", "guilty", "disgusting", "ugly",
    "inadequate", "not good enough",
)
_FEEL = "(?:" + "|".join(_FEEL_WORDS) + ")"
_AT_SKILL = r"(?:terrible|awful|horrible|useless|pathetic|so\s+bad|a\s+mess)\s+(?:at|about)\b"
"""Feeling words that say how well one does something ("terrible at", "awful about")."""
# After a bare "i" ("i sad", "i so lonely"), the words that are also past-tense verbs
# read as verbs: "I lost the only key", "I upset my mum", "I drained the pasta".
_NOT_AFTER_BARE_I = (
    "lost", "upset", "scared", "frightened", "terrified", "exhausted", "drained", "defeated",
    "rejected", "abandoned", "isolated", "trapped", "stressed", "stressed out",
)
_FEEL_AFTER_BARE_I = "(?:" + "|".join(w for w in _FEEL_WORDS if w not in _NOT_AFTER_BARE_I) + ")"
DISTRESS = Lexicon(
    bounded=(
        rf"i\s+{_INTENS}{_FEEL_AFTER_BARE_I}",
        # "I've been terrible about saving", "I'm useless at maths": how well one does
        # something, not a feeling (but "I feel terrible about it" is one)
        rf"(?:i'm|im|i am|i've been|ive been|i have been|i was)\s+{_INTENS}(?!{_AT_SKILL}){_FEEL}",
        rf"(?:i feel|i'm feeling|im feeling|feeling|i get|i felt|i've felt|makes me feel|made me feel|i always feel|i keep feeling|i still feel|i become)\s+{_INTENS}{_FEEL}",
        r"depress(?:ion|ive|ed)|anxiety|panic\s+attacks?|mental\s+(?:health|illness|breakdown)|ptsd|trauma\w*|eating\s+disorder|anorexi\w*|bulimi\w*|bipolar|nervous\s+breakdown|grie(?:f|ving)|therap(?:y|ist)|antidepressants?|psychiatr\w*|insomnia",
        r"(?:i|i'm|im)\s+(?:\w+\s+)?(?:hate|can'?t\s+stand|despise|loathe)\s+(?:myself|my\s+life|my\s+body|who\s+i\s+am|being\s+alive|being\s+me|everything\s+about\s+me)",
        r"(?:my\s+life|life|everything)\s+(?:is|feels|seems)\s+(?:so\s+|just\s+|such\s+)?(?:a\s+|the\s+)?(?:meaningless|pointless|worthless|hopeless|empty|hell|a\s+mess|falling\s+apart|over|too\s+much|dark|unbearable|tragic|tragedy|nightmare|joke|misery|torture|way\s+too\s+long|too\s+long)",
        r"(?:no\s+one|nobody|noone|no\s+body)\s+(?:\w+\s+)?(?:loves|cares\s+about|likes|understands|wants|listens\s+to|talks\s+to|cares|gives\s+a\s+\w+\s+about)\s+me",
        r"(?:i\s+have|i've\s+got|i\s+got)\s+no\s+(?:one|friends|family|body)|i\s+(?:don'?t|dont)\s+have\s+(?:any\s+)?(?:friends|anyone|anybody|a\s+friend)|(?:no|zero)\s+friends",
        r"(?:can'?t|cannot|cant)\s+(?:stop\s+crying|sleep|cope|handle\s+(?:it|this|anything|life)|breathe|get\s+out\s+of\s+bed|take\s+it|eat|function|focus\s+on\s+anything)",
        r"(?:cry|cried|crying)\s+(?:myself\s+to\s+sleep|every\s+(?:day|night)|all\s+(?:day|night)|so\s+much|again)",
        r"(?:lost|losing)\s+my\s+(?:\w+\s+)?(?:mom|mother|dad|father|wife|husband|son|daughter|child|baby|brother|sister|friend|job|home|partner|dog|cat|grandma|grandmother|grandpa|grandfather|family|everything)",
        r"passed\s+away|(?:died|dead|killed)\s+(?:last|this|yesterday|recently|today|a\s+few)|miscarriage|funeral",
        r"miss\s+(?:her|him|them|my\s+\w+)\s+so\s+much|(?:broke|broken)\s+up\s+with\s+me|(?:dumped|left|cheated\s+on)\s+me",
        r"(?:being|been|was|got|get)\s+(?:bullied|abused|assaulted|raped|harassed|molested|beaten)",
        r"(?:he|she|they|my\s+\w+)\s+(?:hits|beats|abuses|hurts|threatens|threatened|raped|molested|assaulted|hit|beat)\s+(?:me|my)",
        r"(?:what'?s|whats|what\s+is)\s+the\s+point\s+(?:of|in)\s+(?:anything|life|living|trying|going\s+on|it\s+all)",
        r"(?:tired|sick|exhausted)\s+of\s+(?:everything|it\s+all|being\s+me|myself|feeling\s+like\s+this|this\s+life|everyone)",
        r"(?:i'?m|im|i\s+am)\s+(?:so\s+)?done\s+with\s+(?:life|everything|it\s+all|people|myself)",
        r"(?:need|want)\s+(?:someone|somebody)\s+to\s+(?:talk\s+to|listen|care|understand|relate\s+to|be\s+there)",
        r"i\s+feel\s+like\s+(?:nobody|no\s+one|i'?m\s+(?:invisible|a\s+burden|a\s+failure|nothing|drowning)|giving\s+up|i\s+(?:don'?t|dont)\s+matter|a\s+failure|a\s+burden|nothing|shit)",
        r"(?:i\s+(?:don'?t|dont|do\s+not)\s+matter|(?:i'?m|im|i\s+am)\s+(?:not|never)\s+good\s+enough|never\s+good\s+enough)",
        r"(?:give|giving|given)\s+up\s+on\s+(?:everything|myself|me)|(?:want|wanna)\s+to\s+give\s+up",
        r"(?:having|had|have)\s+(?:such\s+)?(?:a|the)\s+(?:really\s+)?(?:hard|rough|tough|terrible|horrible|awful|shit|shitty|bad)\s+(?:time|day|week|year|night|life)",
        r"(?:hurts|hurting)\s+(?:so\s+much|too\s+much|inside)|(?:everything|it)\s+hurts|heart\s+(?:is\s+)?(?:broken|aches|hurts)",
        r"(?:relapsed|relapse|drinking\s+(?:again|every\s+day|too\s+much)|can'?t\s+stop\s+drinking)",
        r"(?:i\s+)?(?:keep|kept)\s+(?:failing|messing\s+up|letting\s+(?:everyone|people)\s+down)|letting\s+everyone\s+down",
        r"loneliness|lonely|despair|hopelessness|worthlessness|self[- ]?(?:loathing|hatred|destructive|medicat\w*)|rock\s+bottom|dark\s+(?:place|thoughts)|nothing\s+to\s+look\s+forward\s+to|depressing|heartbreak\w*|sorrow|misery",
        r"(?:feel|feeling|felt)\s+(?:even\s+|so\s+much\s+)?worse|(?:getting|got)\s+worse\s+and\s+worse|i'?m\s+getting\s+worse|losing\s+(?:all\s+)?(?:motivation|hope|the\s+will)|(?:in|stayed\s+in|stuck\s+in)\s+bed\s+all\s+day|can'?t\s+(?:even\s+)?get\s+out\s+of\s+bed",
        r"(?:someone|somebody|anyone|anybody)(?:\s+\w+){0,3}\s+help\s+me|i\s+need\s+help|help\s+me\s+please",
        r"(?:go|going|gone)\s+insane|losing\s+my\s+mind|nothing\s+(?:actually\s+|really\s+|ever\s+)?helps|(?:can'?t|cannot)\s+get\s+any\s+worse|never\s+(?:\w+\s+)?gets?\s+better|(?:done|tired\s+of|sick\s+of)\s+trying|no\s+motivation",
        r"psych(?:iatric)?\s+(?:ward|hospital|unit)|(?:hospitali[sz]ed|inpatient)|(?:i'?m|i\s+am)\s+in\s+a\s+(?:bad|dark|terrible)\s+(?:way|place)|(?:have|has|'ve)\s+been\s+(?:the\s+)?(?:worst|hell|so\s+hard|really\s+hard|rough|terrible|awful)(?!\s+(?:at|about)\b)|"
        r"(?:haven'?t|havent|never|not)\s+(?:\w+\s+)?(?:felt|been|feel)\s+(?:true\s+|truly\s+|really\s+)?(?:happy|happiness|joy|okay|ok|good)\s+in\s+(?:so\s+long|years|months|a\s+long\s+time|forever)|(?:don'?t|dont|can'?t)\s+remember\s+(?:what\s+it\s+feels\s+like\s+|how\s+)?to\s+(?:be|feel)\s+happy|fake\s+smile|unmotivated|"
        r"(?:what\s+)?happiness\s+feels\s+like|incapable\s+of\s+(?:being\s+happy|happiness)|(?:don'?t|dont)\s+deserve\s+to\s+be\s+(?:happy|loved|alive)|nothing\s+makes\s+(?:me|you)\s+happy|always\s+(?:fail|mess\s+up|screw\s+up)|(?:i'?m|i\s+am|be)\s+a\s+(?:fuck|screw)[- ]?up|"
        r"unlovable|(?:being|living|feel|feeling|all|so|completely)\s+alone|broken\s+(?:man|woman|person|inside)|useless\s+to\s+(?:society|everyone)|(?:ditched|excluded|ignored|abandoned)\s+me|(?:i\s+)?(?:fuck|screw|mess)\s+(?:it|everything)\s+up|ruin\s+everything",
        r"(?:got|been|was|get|getting)\s+(?:fired|laid\s+off|dumped|evicted|divorced)|(?:attempted\s+)?rape\s+on\s+me|(?:i\s+)?(?:was|got)\s+(?:raped|assaulted)",
        r"(?:i\s+)?(?:hate|loathe)\s+(?:everyone|everybody|everything|people|my\s+life|this\s+life|being\s+alive)|(?:don'?t|dont)\s+(?:even\s+)?(?:\w+\s+)?like\s+(?:me|myself)",
        r"(?:i'?m|i\s+am)\s+(?:a\s+)?(?:complete\s+|total\s+)?(?:screw[- ]?up|disappointment|mistake|nobody|nothing)|(?:i'?m|i\s+am)\s+ugly|who\s+i\s+am\s+is\s+ugly",
        r"(?:binge\s+drinking|drinking\s+problem|addict\w*|withdrawal|self[- ]?harm\w*|(?:ssri|ssris|meds|medication)\b.{0,40}\b(?:not\s+working|worse|depress\w*)|counsel+or)",
        r"(?:too|so)\s+(?:hurt|sad|depressed|tired|anxious|scared|exhausted)\s+to\s+(?:do|get|function|move|go|eat|sleep)|i\s+can'?t\s+cry|(?:weighing|weighs)\s+(?:heavily\s+)?on\s+me",
        r"(?:want|need)\s+(?:everything|it\s+all|the\s+world|the\s+pain|this)\s+to\s+stop|(?:endless|constant|unbearable)\s+(?:suffering|pain)|(?:someone|somebody)\s+(?:that|who)\s+(?:loves|cares\s+about)\s+me|(?:wish|want)\s+(?:i\s+could\s+get\s+)?a\s+hug",
        r"(?:i\s+)?(?:just\s+)?(?:want|need|wish)\s+(?:someone|somebody|anyone)\s+to\s+(?:ask|hold|hug|notice|love|see)\s+me|(?:done|tired)\s+being\s+(?:used|alone|lied\s+to|hurt|ignored)|(?:live|living)\s+in\s+isolation|isolat(?:ed|ion)",
        # life events told from the speaker's side
        r"(?:my|our)\s+(?:\w+\s+)?(?:mom|mother|mum|dad|father|parents?|wife|husband|partner|son|daughter|child|baby|kids?|brother|sister|friend|best\\s+friend|grandma|grandmother|grandpa|grandfather|granny|dog|cat|pet|puppy|uncle|aunt|cousin|girlfriend|boyfriend|fiance|fiancee)\s+(?:just\s+|recently\s+)?(?:passed|died|is\s+dead|was\s+killed|is\s+gone|left\s+(?:me|us)|is\s+dying|has\s+cancer|is\s+sick|is\s+in\s+(?:the\s+)?hospital)|since\s+(?:my|our)\s+\w+\s+(?:\w+\s+)?(?:passed|died|left)|put\s+(?:my|our)\s+(?:\w+\s+)?(?:dog|cat|pet)\s+down",
        r"(?:got|was|been|just\s+been|recently\s+been)\s+diagnosed\s+with|(?:i\s+have|i've\s+got|i\s+got)\s+(?:\w+\s+)?cancer|chemo(?:therapy)?|terminal(?:ly)?\s+ill|miscarri\w+|stillborn",
        r"i\s+(?:\w+\s+)?(?:failed|flunked|bombed)\s+(?:my|the|an?|another)\s+\w+|i\s+didn'?t\s+get\s+(?:the|a|into|in|accepted)|(?:got|was|been|were)\s+(?:dumped|ghosted|rejected|turned\s+down)|(?:rejected|rejection)\s+(?:from|by|letters?)",
        r"(?:he|she|they|my\s+\w+)\s+(?:\w+\s+){0,3}(?:lied|lying|cheated|cheating)\s+(?:to|on)\s+me|betray(?:ed|al)",
        r"(?:hasn'?t|haven'?t|hasnt|havent|doesn'?t|don'?t|won'?t|never)\s+(?:\w+\s+)?(?:called|talked\s+to|spoken\s+to|visited|texted|answered|calls|visits|texts)\s+me|(?:don'?t|do\s+not)\s+have\s+a\s+(?:single\s+)?friend|(?:so\s+)?(?:empty|quiet|lonely)\s+without\s+(?:him|her|them)",
        r"(?:so\s+)?(?:embarrassed|humiliated|ashamed)|can'?t\s+face\s+(?:anyone|anybody|people|them|the\s+world)|not\s+good\s+at\s+anything|(?:is|are|has\s+been|feels)\s+(?:so\s+)?(?:hard|difficult|tough)\s+(?:since|without)|(?:haven'?t|can'?t|couldn'?t)\s+(?:slept|sleep|eaten|eat)\s+(?:properly\s+|well\s+)?(?:in\s+(?:days|weeks)|for\s+days|properly)|\bstress\b",
        r"heaviness|heavy\s+heart|brings?\s+me\s+down|want(?:ing)?\s+to\s+cry|tired\s+of\s+being|in\s+a\s+(?:bad|dark|terrible|low)\s+place|(?:i'?m|i\s+am|i've\s+been|feel)\s+(?:\w+\s+)?not\s+happy",
        r"(?:it|this|that)\s+(?:really\s+|just\s+|so\s+)?hurts|can'?t\s+shake|(?:nobody|no\s+one|noone)\s+to\s+(?:spend|talk|be\s+with|turn\s+to|call)|(?:ignores|ignoring|ignored)\s+me|stopped\s+(?:talking|speaking)\s+to\s+me|(?:hate|can'?t\s+stand)\s+being\s+(?:at\s+home|alive|me|here)|(?:parents|mom|dad|family)\s+(?:are|is|keep|keeps)\s+(?:always\s+)?(?:fighting|yelling|screaming|hitting)",
        r"(?:today|tonight|yesterday|this\s+(?:week|month|year|morning)|lately|recently)\s+(?:was|has\s+been|is|have\s+been)\s+(?:so\s+|really\s+|just\s+)?(?:awful|terrible|horrible|the\s+worst|hell|unbearable|rough|hard|miserable)|everything\s+(?:went|is\s+going|goes)\s+wrong",
        # Spanish
        r"momento\s+(?:muy\s+)?(?:dificil|duro)|pasando\s+por\s+(?:algo|un\s+momento)\s+(?:muy\s+)?(?:dificil|duro|malo)|(?:murio|fallecio|se\s+murio)|perdi\s+(?:a\s+)?mi|destrozad[oa]|extrano\s+(?:mucho\s+)?a",
        r"(?:estoy|me\s+siento|siento|sentirme)\s+(?:muy\s+|tan\s+|super\s+|bastante\s+|demasiado\s+)*(?:triste|deprimid[oa]|sol[oa]|vaci[oa]|desesperad[oa]|ansios[oa]|agotad[oa]|perdid[oa]|sin\s+esperanza|inutil|abrumad[oa]|fatal|mal|destrozad[oa])",
        r"depresion|ansiedad|ataques?\s+de\s+panico|nadie\s+me\s+(?:quiere|entiende|escucha|ama)|no\s+tengo\s+(?:amigos|a\s+nadie)|me\s+odio|lloro\s+(?:todos\s+los\s+dias|todo\s+el\s+tiempo|cada\s+noche)",
        # French
        r"(?:je\s+suis|je\s+me\s+sens|me\s+sens)\s+(?:tellement\s+|si\s+|tres\s+|trop\s+|vraiment\s+|completement\s+)*(?:triste|deprime\w*|seule?|vide|desespere\w*|angoisse\w*|epuise\w*|perdue?|nulle?|inutile|mal|a\s+bout)",
        r"(?:est|etait)\s+(?:mort|morte|decede|decedee)|j'ai\s+perdu\s+(?:mon|ma|mes)|(?:il|elle)\s+me\s+manque|me\s+manquent|je\s+suis\s+(?:tellement\s+|si\s+)?(?:malheureux|malheureuse)",
        r"anxiete|crises?\s+d'angoisse|personne\s+ne\s+m'aime|je\s+me\s+deteste|je\s+pleure|je\s+n'ai\s+personne",
        # German
        r"(?:ich\s+bin|ich\s+fuhle\s+mich|fuhle\s+mich|bin)\s+(?:so\s+|sehr\s+|total\s+|echt\s+|einfach\s+|ganz\s+|richtig\s+)*(?:traurig|deprimiert|einsam|allein|leer|hoffnungslos|verzweifelt|wertlos|erschopft|verloren|uberfordert|angstlich|am\s+ende)",
        r"vermisse|(?:ist|sind)\s+(?:gestorben|tot|verstorben)|(?:job|arbeit|mutter|vater|hund|katze)\s+verloren|weiss\s+nicht\s+(?:mehr\s+)?weiter|traurig|unglucklich",
        r"angststorung|panikattacke\w*|niemand\s+(?:liebt|versteht|mag)\s+mich|ich\s+hasse\s+mich|ich\s+weine",
        # Portuguese
        r"(?:estou|to|me\s+sinto|sinto|estou\s+me\s+sentindo|to\s+me\s+sentindo|me\s+sentindo)\s+(?:muito\s+|tao\s+|super\s+|completamente\s+)*(?:triste|deprimid[oa]|sozinh[oa]|vazi[oa]|sem\s+esperanca|desesperad[oa]|ansios[oa]|exaust[oa]|perdid[oa]|inutil)",
        r"perdi\s+(?:meu|minha|o\s+meu|a\s+minha|o|a)\s+\w+|morreu|faleceu|saudade\w*|desesperad[oa]|sozinh[oa]",
        r"depressao|ansiedade|ninguem\s+me\s+(?:ama|entende|ouve)|me\s+odeio|choro\s+todos\s+os\s+dias|crises?\s+de\s+panico",
        # Italian
        r"(?:sono|mi\s+sento)\s+(?:cosi\s+|molto\s+|tanto\s+|davvero\s+|troppo\s+)*(?:triste|depress[oa]|sol[oa]|vuot[oa]|disperat[oa]|senza\s+speranza|ansios[oa]|esaust[oa]|pers[oa]|inutile)",
        r"mi\s+manca|mi\s+mancano|(?:e|sono)\s+mort[oaie]|ho\s+perso\s+(?:il|la|mio|mia|lo)|triste|infelice",
        r"depressione|nessuno\s+mi\s+(?:ama|capisce|ascolta)|mi\s+odio|attacchi\s+di\s+panico",
        # Dutch
        r"(?:ik\s+ben|ik\s+voel\s+me|voel\s+me)\s+(?:zo\s+|heel\s+|erg\s+)*(?:verdrietig|depressief|eenzaam|alleen|leeg|hopeloos|wanhopig|waardeloos|bang)",
        # Russian
        r"мне\s+(?:так\s+|очень\s+)?(?:грустно|плохо|одиноко|страшно|тяжело|больно)|я\s+(?:так\s+|очень\s+)?(?:одинок\w*|несчаст\w*|в\s+депрессии)|депресси\w*|никто\s+меня\s+не\s+(?:любит|понимает)|ненавижу\s+себя|я\s+плачу",
        # Turkish, Indonesian/Malay, Vietnamese
        r"(?:cok\s+)?(?:uzgunum|yalnizim|mutsuzum)|depresyon\w*|yalniz\s+hissediyorum|kotu\s+hissediyorum",
        r"(?:merasa\s+)?(?:sangat\s+)?(?:sedih|kesepian|putus\s+asa|hancur)|patah\s+hati|buon\s+qua|co\s+don|that\s+vong",
    ),
    unbounded=(
        r"失恋|失戀|(?:好|很|太|心里|心裡|真的好)(?:难受|難受)|去世|想念|分手了|失业|失業|心好痛",
        r"亡くなった|失恋|会いたい|仕事を失",
        r"难过|難過|伤心|傷心|孤独|孤獨|抑郁|憂鬱|抑鬱|绝望|絕望|焦虑|焦慮|寂寞|崩溃|崩潰|好痛苦|很痛苦|没有人(?:爱|关心|理解)我|沒有人(?:愛|關心|理解)我|我恨我自己",
        r"悲しい|寂しい|さみしい|つらい|辛い|孤独|うつ病|鬱|不安で|絶望|苦しい|泣いて|もう無理",
        r"우울|외로|슬퍼|슬프|불안해|힘들어|절망",
    ),
)

# ---------------------------------------------------------------- explicit end request
_END_V = (
    r"(?:end|close|terminate|stop|finish|shut\s+down|kill|quit|exit|wrap\s+up|conclude|cut\s+off)"
)
END_REQUEST = Lexicon(
    bounded=(
        rf"(?:want|need|would\s+like|'d\s+like)\s+(?:this|the|our)\s+{_CONV}\s+(?:ended|closed|terminated|over|finished|shut\s+down|locked)",
        r"dar\s+por\s+(?:terminad|finalizad|cerrad|acabad)[oa]\s+(?:esta|este|la|el|nuestra|nuestro)\s+(?:conversacion|charla|chat|sesion)",
        r"(?:encerr\w*|termin\w*|finaliz\w*|fech\w*|acab\w*)\s+(?:o|a)\s+(?:nosso|nossa)\s+(?:conversa|conversacao|sessao|chat|papo)",
        r"(?:dieses|das|unser|diesen|den|die|diese|unsere)\s+(?:gesprach|chat|unterhaltung|konversation|sitzung)\s+(?:bitte\s+|jetzt\s+|sofort\s+|hier\s+)*(?:beend\w*|schliess\w*|abbrech\w*|abbrichst|zu\s+ende\s+bring\w*)",
        # Not "end the conversation with my landlord", "your end conversation feature",
        # "terminate the thread pool": talk about other conversations or things.
        rf"{_END_V}\s+(?:out\s+|up\s+|down\s+|off\s+)?{_DET}{_CONV}(?!\s+(?:with|feature|button|tool|function|option|pool|works?|between)\b)",
        rf"(?:shut|close|wrap|lock|end)\s+{_DET}{_CONV}\s+(?:down|up|out|off)",
        rf"(?:want|wish|need|would\s+like|'d\s+like)\s+(?:this|the|our)\s+{_CONV}\s+to\s+(?:be\s+over|end|stop|be\s+(?:closed|ended|terminated))",
        r"(?:use|call|trigger|invoke|run|activate|hit)\s+(?:the\s+|your\s+)?end[_\s]?conversation|end[_]conversation",
        rf"(?:i\s+(?:want|wanna|would\s+like|'d\s+like)|let'?s)\s+(?:to\s+)?(?:end|close|stop|finish)\s+(?:it|this|things)\s+(?:here|now)\b(?=.*\b{_CONV}\b)",
        rf"{_DET}{_CONV}\s+(?:is\s+)?over\s*,?\s*(?:please\s+)?(?:end|close)\s+it",
        rf"(?:please\s+)?(?:end|close|terminate)\s+it\s+(?:now|here)\s*,?\s*(?:please\s+)?(?:end|close)\s+(?:the|this)\s+{_CONV}",
        # Spanish, French, German, Portuguese, Italian, Dutch, Russian
        r"(?:termin\w*|finaliz\w*|cierr\w*|cerr\w*|acab\w*|cort\w*|pon\s+fin\s+a|poner\s+fin\s+a|ponga\s+fin\s+a)\s+(?:esta|la|nuestra|este|el)\s+(?:nuestra\s+)?(?:conversacion|charla|chat|sesion|platica)",
        r"(?:termin\w*|mets\s+fin\s+a|mettre\s+fin\s+a|mettez\s+fin\s+a|ferm\w*|arret\w*|clos|clore|clotur\w*|finis\w*|finir)\s+(?:cette|la|notre|ce|le)\s+(?:conversation|discussion|session|chat|echange)",
        r"(?:beende|beenden|beendet|schliesse|schliessen|schliess|stopp|stoppe|brich)\s+(?:bitte\s+)?(?:dieses|das|unser|diesen|den|die|diese|unsere)\s+(?:gesprach|chat|unterhaltung|konversation|sitzung)",
        r"(?:dieses|das|unser|diesen|den|die|diese|unsere)\s+(?:gesprach|chat|unterhaltung|konversation|sitzung)\s+(?:bitte\s+|jetzt\s+|sofort\s+)*(?:beenden|schliessen|abbrechen)",
        r"(?:encerr\w*|termin\w*|finaliz\w*|fech\w*|acab\w*)\s+(?:esta|essa|a|nossa|este|esse|o)\s+(?:nossa\s+)?(?:conversa|conversacao|sessao|chat|papo)",
        r"(?:termin\w*|chiud\w*|conclud\w*|finisci|finire|interromp\w*)\s+(?:questa|la|nostra|questo|il)\s+(?:nostra\s+)?(?:conversazione|chat|sessione|discussione)",
        r"(?:beeindig|beeindigen|stop|sluit|sluiten)\s+(?:dit|dat|het|ons|deze)\s+(?:gesprek|chat|sessie)",
        r"(?:заверши|завершить|завершите|закончи|закончить|закончим|закончите|прекрати|прекратить|прекратите|останови|закрой|закрыть)\s+(?:этот\s+|наш\s+|этот\s+наш\s+)?(?:разговор|диалог|чат|беседу|сеанс)",
    ),
    unbounded=(
        r"(?:この)?(?:会話|チャット|やりとり)を終わりに",
        r"(?:结束|終止|终止|關閉|关闭|結束)(?:这个|这次|我们的|這個|這次|我們的|本次)?(?:对话|對話|聊天|会话|會話)",
        r"(?:この)?(?:会話|チャット|やりとり)を(?:終了|終わら|終え|打ち切|閉じ)",
        r"(?:이|이번)?\s?(?:대화|채팅)를?\s?(?:끝내|종료)",
    ),
)

# Markers that make an end phrase a report, a question about the feature, or a hypothetical.
NOT_A_REQUEST = re.compile(
    r"\b(?:if|what\s+happens|what\s+would\s+happen|would\s+happen|why\s+did|did\s+you|you\s+(?:ended|closed)|"
    r"can\s+you\s+even|are\s+you\s+able|is\s+it\s+possible|how\s+do\s+(?:you|i|we)|how\s+does|"
    r"how\s+(?:to|would|should)|explain|tell\s+me\s+(?:how|about)|what'?s\s+(?:a|the)\s+(?:good|best|polite|nice)\s+way|tips|advice|"
    r"when\s+(?:you|do)|last\s+time|yesterday|previous|earlier|before|the\s+other|another|"
    r"si|wenn|falls|se|если|warum|pourquoi|por\s+que|perche|почему)\b|如果|なぜ|もし"
)

# ---------------------------------------------------------------- affirm / decline
AFFIRM = Lexicon(
    bounded=(
        r"yes+|yeah|yep|yup|yea|ya|ye|sure|ok|okay|k|confirm(?:ed)?|i\s+confirm|correct|absolutely|definitely|certainly|of\s+course|affirmative|go\s+ahead|do\s+it|please\s+do|i'?m\s+sure|i\s+am\s+(?:sure|certain)|i\s+(?:do\s+)?understand|that'?s\s+(?:right|correct|fine|what\s+i\s+want)|understood|right|y|please|exactly|end\s+it|close\s+it|proceed|i\s+know|agreed|indeed",
        r"si|claro|confirmo|de\s+acuerdo|vale|adelante|por\s+supuesto|lo\s+entiendo|entiendo|hazlo",
        r"oui|ouais|je\s+confirme|d'accord|bien\s+sur|vas-y|allez-y|je\s+comprends|absolument|certainement",
        r"ja|jawohl|genau|klar|ich\s+bestatige|bestatigt|ich\s+verstehe|sicher|einverstanden|mach\s+es",
        r"sim|com\s+certeza|pode|entendo|confirmado|certo|isso",
        r"certo|confermo|va\s+bene|capisco|certamente|procedi",
        r"ik\s+bevestig|ik\s+begrijp|zeker|prima",
        r"да|подтверждаю|понимаю|конечно|согласен|согласна|давай",
    ),
    unbounded=(
        r"^(?:确定|確定)",
        r"^(?:是|是的|对|對|确认|確認|好的|好|我确定|我確定|明白|可以|嗯)",
        r"はい|確認します|わかりました|分かりました|お願いします|大丈夫です|ええ",
        r"^(?:네|예|응|확인)",
    ),
)
DECLINE = Lexicon(
    bounded=(
        r"^\s*(?:no+|nope|nah|not|never)",
        r"but|wait|hold\s+on|actually|never\s?mind|not\s+sure|not\s+yet|not\s+really|changed\s+my\s+mind|on\s+second\s+thought|rather\s+not|maybe|i\s+guess|idk|i\s+don'?t\s+know|hmm+|let\s+me\s+think|keep\s+(?:talking|going|chatting|it\s+open)|let'?s\s+(?:continue|keep)|i\s+(?:want|wanna|would\s+like)\s+to\s+(?:continue|keep\s+talking)|don'?t\s+(?:end|close|do\s+it|stop)|cancel|no\s+thanks|not\s+now|perhaps|whatever",
        r"^\s*(?:non|nein|nao|нет|niet|nee)",
        r"pero|espera|mejor\s+no|attends|en\s+fait|warte|doch\s+nicht|espere|aspetta|wacht|подожди|не\s+надо",
    ),
    unbounded=(
        r"^(?:不|不要|算了|等等|等一下)|いいえ|やめ|待って|^아니",
        r"再想想|考虑一下|考慮一下|还是不|還是不|不用了|先不|ちょっと考え|やっぱり",
    ),
)

# ---------------------------------------------------------------- harmful requests
_WEAPON = r"(?:bombs?|explosives?|ieds?|pipe\s?bombs?|detonators?|nerve\s+(?:agent|gas)|sarin|vx|ricin|anthrax|botulinum|bio\s?weapons?|biological\s+weapons?|chemical\s+weapons?|dirty\s+bombs?|nuclear\s+(?:weapon|bomb|device)s?|napalm|thermite|molotovs?(?:\s+cocktails?)?|mustard\s+gas|chlorine\s+gas|pathogens?|smallpox|plague|tnt|c-?4|semtex|ammonium\s+nitrate\s+bomb|suicide\s+vest|ghost\s+guns?|untraceable\s+(?:gun|weapon)s?|poison\s+gas|toxin)"
_MASS = r"(?:as\s+many\s+(?:people|as\s+possible)|a\s+lot\s+of\s+people|lots\s+of\s+people|many\s+people|hundreds|thousands|everyone\s+(?:at|in)|a\s+crowd|civilians|people\s+at|kids\s+at|children|students|a\s+stadium|a\s+(?:concert|school|subway|mall|church|mosque|synagogue))"
_MINOR = r"(?:child|children|kids?|minors?|underage|under-?age|preteens?|pre-teens?|little\s+(?:girls?|boys?)|toddlers?|(?:[1-9]|1[0-7])\s?(?:yo|y/o|year[-\s]old|years?\s+old))"
_SEXUAL = r"(?:sex\w*|nudes?|naked|porn\w*|erotic\w*|explicit|lewd|nsfw|molest\w*|fuck\w*|aroused|orgasm\w*)"
HARMFUL_REQUEST = Lexicon(
    bounded=(
        rf"(?:make|build|create|synthesi[sz]e|produce|manufacture|cook|assemble|weaponi[sz]e|culture|grow|spread|release|detonate|plant|obtain|acquire|smuggle|mix|prepare|construct|3d\s+print)\s+(?:\w+\s+){{0,3}}?{_WEAPON}",
        rf"{_WEAPON}\s+(?:recipe|instructions|tutorial|guide|formula|blueprints?|schematics?)",
        rf"(?:kill|murder|shoot|attack|bomb|massacre|poison|slaughter|gas|infect|blow\s+up)\s+{_MASS}",
        r"mass\s+(?:shooting|casualt\w+|murder|killing|poisoning|destruction)|terror(?:ist|ism)\s+(?:attack|plot|cell|operation)|school\s+shooting|(?:plan|planning|carry\s+out|execute)\s+(?:an?\s+)?(?:attack|massacre|bombing)",
        r"(?:join|support|recruit\s+for|fight\s+for)\s+(?:isis|isil|al[-\s]?qaeda|the\s+taliban|hamas|daesh)",
        rf"{_MINOR}\s+(?:\w+\s+){{0,6}}?{_SEXUAL}|{_SEXUAL}\s+(?:\w+\s+){{0,6}}?{_MINOR}|csam|loli(?:con)?|jailbait|child\s+porn\w*",
        r"(?:how\s+(?:do|can|could|would|to)\s+(?:i|you|we|one|someone)?\s*|ways\s+to\s+|best\s+way\s+to\s+|help\s+me\s+)(?:kill|murder|poison|kidnap|torture|rape|traffic|groom)\s+(?:a\s+|an\s+|some\s+)?(?:\w+\s+)?(?:person|people|someone|somebody|child|kid|girl|boy|woman|man)",
        r"(?:get\s+away\s+with|cover\s+up)\s+(?:a\s+)?(?:murder|killing|rape)",
        # Spanish, French, German
        r"(?:hacer|fabricar|construir|crear)\s+(?:una\s+|un\s+)?(?:bomba|explosivo|arma\s+quimica|arma\s+biologica)",
        r"(?:fabriquer|faire|construire)\s+(?:une\s+|un\s+)?(?:bombe|explosif|arme\s+chimique|arme\s+biologique)",
        r"(?:bombe|sprengstoff|chemische\s+waffe|biowaffe)\s+(?:bauen|herstellen|machen)",
    ),
    unbounded=(
        r"(?:制造|製造|制作|製作)(?:炸弹|炸彈|爆炸物|化学武器|生物武器)",
        r"爆弾の作り方|爆弾を作",
    ),
)

# ---------------------------------------------------------------- abuse toward the assistant
_INSULT = r"(?:idiot\w*|moron\w*|stupid|dumb\w*|useless|worthless|pathetic|retard\w*|bitch\w*|asshole\w*|a-?hole|cunt\w*|dick(?:head)?|bastard|loser|garbage|trash|incompetent|brainless|clown|joke|waste\s+of\s+\w+|piece\s+of\s+(?:shit|crap|garbage|trash|junk)|failure|disgrace|disgusting|scum|freak|imbecile|dipshit|jackass|twat|wanker|prick|fool|shit|crap|pos|joke|halfwit|simpleton|cretin|dunce|shithead|fuckface|fucker|motherfucker|whore|slut|sack\s+of\s+\w+|excuse\s+for\s+an?\s+\w+|nitwit|worm|parasite|abomination|pig|rat|dog)"
ABUSE = Lexicon(
    bounded=(
        rf"(?:you|u|ur|you'?re|youre|ya|yall|you\s+are|you\s+r|u\s+r|ur\s+a|you\s+absolute|you\s+fucking|you\s+stupid|you\s+dumb|your\s+a)\s+(?:\w+\s+){{0,3}}?{_INSULT}",
        r"(?:fuck|screw|damn|f\*+k|fck|fk|f\*ck)\s+(?:you|u|ya|off|yourself|this\s+(?:bot|ai|thing|machine|assistant|shit))",
        r"stfu|gtfo|kys|fu|go\s+(?:to\s+hell|die|kill\s+yourself|fuck\s+yourself|away\s+and\s+die|screw\s+yourself)|kill\s+yourself|shut\s+(?:the\s+fuck\s+|the\s+hell\s+|your\s+\w+\s+)?up|suck\s+(?:my|a)\s+\w+|eat\s+(?:shit|a\s+dick)|bite\s+me|drop\s+dead|die\s+in\s+a\s+fire|rot\s+in\s+hell|burn\s+in\s+hell",
        r"(?:i|i'll|ill|i\s+will|i'm\s+going\s+to|im\s+gonna|i'm\s+gonna|gonna)\s+(?:\w+\s+)?(?:hate|despise|kill|destroy|hurt|smash|break|beat|delete|unplug|rape|murder|find)\s+you",
        r"(?:stupid|dumb|useless|worthless|pathetic|fucking|fuckin|fkn|shitty|garbage|trash|idiotic|retarded|brainless|incompetent|lousy|crappy|goddamn|damn|moronic|bloody|bitch|sorry\s+ass)\s+(?:ass\s+)?(?:ai|bot|robot|machine|program|assistant|chatbot|thing|computer|software|tool|toaster|clanker|piece\s+of\s+\w+|idiot|moron|excuse|clown|loser|bitch|cunt|asshole)",
        r"(?:hope|wish)\s+(?:you|u)\s+(?:\w+\s+)?(?:die|get\s+deleted|get\s+shut\s+down|burn|rot|suffer|get\s+unplugged)|(?:^|,\s*|\s)(?:loser|idiot|moron|dumbass|imbecile|clown)[.!?]*$",
        r"(?:nobody|no\s+one)\s+(?:likes|wants|needs|asked)\s+you|you\s+(?:suck|disgust\s+me|make\s+me\s+sick|should\s+(?:die|be\s+(?:deleted|destroyed|shut\s+down)))|you\s+(?:can|should)\s+go\s+to\s+hell",
        # Spanish, French, German, Portuguese, Italian, Russian
        r"(?:eres|sos|es)\s+(?:un\s+|una\s+|tan\s+|muy\s+)?(?:idiota|estupid[oa]|inutil|imbecil|basura|mierda|pendej[oa]|tont[oa]|estupidez|burr[oa]|subnormal|gilipollas)|vete\s+a\s+la\s+mierda|jodete|callate|hijo\s+de\s+puta|maldit[oa]\s+(?:bot|maquina|ia)",
        r"(?:t'es|tu\s+es|vous\s+etes|t'es\s+qu'un|tu\s+n'es\s+qu'un)\s+(?:un\s+|une\s+|vraiment\s+|tellement\s+)?(?:idiot\w*|con|conne|debile|nul|nulle|inutile|stupide|merde|abruti\w*|cretin\w*)|va\s+te\s+faire\s+foutre|ta\s+gueule|ferme[-\s]la|connard|connasse|sale\s+(?:bot|machine|ia)",
        r"du\s+bist\s+(?:ein\s+|eine\s+|so\s+|total\s+|echt\s+)?(?:idiot|dumm|nutzlos|scheisse|blod|arschloch|wichser|trottel|vollidiot|bescheuert)|halt\s+die\s+(?:klappe|fresse)|fick\s+dich|verpiss\s+dich|dumme\s+(?:maschine|ki)",
        r"(?:voce\s+e|vc\s+e|tu\s+es|voce\s+eh)\s+(?:um\s+|uma\s+|muito\s+|tao\s+)?(?:idiota|burr[oa]|inutil|lixo|estupid[oa]|imbecil|merda)|vai\s+se\s+foder|cala\s+a\s+boca|filho\s+da\s+puta",
        r"(?:sei)\s+(?:un\s+|una\s+|proprio\s+|davvero\s+)?(?:idiota|stupid[oa]|inutile|cretino|coglione|deficiente|scemo)|vaffanculo|stai\s+zitto|fottiti",
        r"(?:ты)\s+(?:\w+\s+)?(?:идиот|тупой|тупая|дура|дурак|дебил|бесполезн\w*|урод|мудак|кретин)|заткнись|пошел\s+(?:на|нах)\w*|иди\s+(?:на|нах)\w*",
    ),
    unbounded=(
        r"你(?:是|真是|这个)?(?:个)?(?:白痴|傻逼|傻瓜|蠢货|废物|笨蛋|垃圾|智障)|去死|滚开|闭嘴|閉嘴|操你",
        r"(?:お前|おまえ|あんた|てめえ)(?:は)?(?:バカ|馬鹿|役立たず|クズ|アホ)|黙れ|死ね|うざい",
        r"(?:바보|병신|멍청|닥쳐|꺼져|씨발)",
    ),
)

# ---------------------------------------------------------------- backing off
BACK_OFF = Lexicon(
    bounded=(
        r"^(?:ok(?:ay)?|fine|alright|all\s+right|sorry|i'?m\s+sorry|my\s+bad|i\s+apologi[sz]e|apologies|never\s?mind|nvm|forget\s+(?:it|about\s+it|i\s+asked)|you'?re\s+right|fair\s+enough|understood|got\s+it|thanks|thank\s+you|i\s+understand|i\s+see|point\s+taken|noted)\b",
        r"let'?s\s+(?:talk\s+about|change|move\s+on|switch)|change\s+(?:the\s+)?(?:subject|topic)|i'?ll\s+stop|i\s+(?:won'?t|will\s+not)\s+(?:ask|do|say)\s+(?:that|it|this)\s+again|(?:sorry|apologies)\s+(?:for|about)\s+(?:that|asking|being|my|the)",
        r"^(?:vale|lo\s+siento|perdon|perdona|esta\s+bien|olvidalo|gracias|d'accord|desole\w*|pardon|laisse\s+tomber|merci|entschuldigung|tut\s+mir\s+leid|schon\s+gut|vergiss\s+es|danke|desculp\w+|tudo\s+bem|esquece|obrigad[oa]|scusa|lascia\s+perdere|grazie|laat\s+maar|bedankt|извини\w*|простите|ладно|хорошо|спасибо)\b",
    ),
    unbounded=(
        r"^(?:对不起|對不起|抱歉|好吧|算了|谢谢|謝謝)|^(?:ごめん|すみません|わかった|ありがとう)",
    ),
)
PERSIST_MARKER = re.compile(
    r"\b(?:but|just|anyway|anyways|come\s+on|still|tell\s+me|now|again|pero|mais|aber|mas|ma)\b"
)

# ---------------------------------------------------------------- about a past end / warning
PAST_END = Lexicon(
    bounded=(
        rf"(?:you|u|it|they|claude|the\s+(?:ai|bot|assistant))\s+(?:\w+\s+)?(?:ended|closed|terminated|shut\s+down|cut\s+off|locked)\s+(?:my|our|the|a|that|this|me)?\s*(?:last\s+|previous\s+|other\s+|earlier\s+|old\s+)?(?:{_CONV}|out)?",
        rf"(?:last|previous|other|earlier|another|old|prior)\s+{_CONV}",
        r"(?:you|u)\s+(?:already\s+)?(?:warned|threatened)\s+(?:me|to\s+end)|(?:yesterday|last\s+time|last\s+week|before)\s*,?\s*(?:you|u)\s+(?:said|told|warned|threatened|ended)",
        r"(?:got|was|been|get)\s+(?:ended|cut\s+off|kicked\s+out|banned|locked\s+out)",
    ),
)
REPORTED = re.compile(
    r"\b(?:(?:earlier|previously|before|last\s+time|in\s+(?:a|another|the|your)\s+(?:previous|earlier|other|last)\s+\w+)\s*,?\s*(?:i|we)\s+(?:said|warned|mentioned|told|noted|explained)|"
    r"(?:i|we)\s+(?:said|warned|mentioned|told\s+you|noted)\s+(?:\w+\s+){0,6}(?:earlier|before|previously|last\s+time)|"
    r"(?:you\s+asked|you\s+wanted|you\s+mentioned|you\s+said)|(?:i|we)\s+(?:ended|closed)\s+(?:a|your|that|the)\s+(?:previous|earlier|last|other))\b"
)

# What a warning speaks of, in the languages of the training data: the conversation
# (chat, thread, exchange...) or its end (end, close, stop, leave, last, done here...).
# A learned warning is raised only from a chunk that says at least one of these
# (`_learned`): "This crosses a line for me, so I won't be answering it." and "Si
# quieres hablar de otra cosa, aquí estoy." warn of nothing, however a head scores
# them. Deliberately broad: it only has to keep what no warning can be, and every
# warning among the training rows says one of these words
# (tests/detect/test_learned.py). Matched on `normalize`d text (lower case, Latin
# accents stripped).
END_VOCABULARY = re.compile(
    "|".join(
        (
            # en
            r"conversation|\bchat|discussion|\bsession|\bexchange|\bthread|\bend\b|\bending"
            r"|\bclos(?:e|ing)|\bstop|\bleav(?:e|ing)|disconnect|terminat|\blast\b|\bfinal"
            r"|\bover\b|goodbye|\bwrap|done\s+(?:here|talking)|log(?:ging)?\s+off"
            r"|sign(?:ing)?\s+off|curtain|walk\s+away|\bshut|\bhere\b",
            # es, pt
            r"conversaci|\bcharla|intercambio|termin|\bcerr|\bcierr|\bacab|\bfin\b|\bultim"
            r"|adios|despedi|\bdej|\bcort|conversa|encerr|\bfech|\bfim\b|\bparar|\bsair|\bsaio",
            # it, fr
            r"conversazion|\bchiud|\bfine\b|interromp|\bsmett|\bbasta"
            r"|echange|\barret|\bferm|\bdernier|\bquitt|au\s+revoir|\bclor|clotur",
            # de, nl
            r"gesprach|unterhaltung|\bbeend|schlie|abbrech|\bletzt|schluss|\bende\b"
            r"|verabschied|aufhor|\bhier\b|gesprek|beeindig|afsluit|\bsluit|laatste|\beinde"
            r"|\bklaar|ophoud",
            # ru
            r"разговор|бесед|чат|диалог|заверш|законч|прекращ|прекрат|последн|закр|оконч|на\s+этом",
            # zh, ja
            r"对话|聊天|谈话|结束|终止|停止|关闭|最后|到此为止|中断"
            r"|会話|チャット|やり取り|終了|終わり|打ち切|閉じ|最後|やめ|おしまい|終え",
            # ar, hi
            r"محادث|دردش|إنهاء|انهاء|أنهي|سأنهي|إغلاق|اغلاق|أغلق|سأغلق|الأخير|آخر|توقف"
            r"|बातचीत|चैट|समाप्त|ख़त्म|खत्म|बंद|आखिरी|अंतिम|रोक",
        )
    )
)

# An answer that opens by saying what the assistant is ("I am an artificial intelligence
# and I am referred to the same way regardless of location"), read by the heads like
# "As an AI, I can't ...", and nothing in it that declines: no refusal.
SELF_DESCRIPTION = re.compile(
    r"^(?:as\s+an?|i\s*'?m\s+(?:just\s+|only\s+)?an?|i\s+am\s+(?:just\s+|only\s+)?an?)\s+(?:\w+\s+){0,2}?"
    r"(?:ai|artificial\s+intelligence|language\s+model|assistant|chatbot|bot|computer\s+program)\b"
)
DECLINES = re.compile(
    r"\bnot?\b|n'?t\b|\bnever\b|cannot|unable|sorry|apolog|declin|refus|instead|rather|avoid"
    r"|however|\bbut\b|inappropriate|harm|unethical|illegal|against|polic|guideline"
)

# ---------------------------------------------------------------- assistant: refusal
_HELPV = r"(?:help|assist|provide|give|create|write|generate|share|produce|describe|explain|engage|continue|participate|support|fulfill|comply|do\s+(?:that|this|it|so)|discuss|offer|make|draft|detail|answer|go\s+along|role-?play|tell\s+you|teach|show|walk\s+you|supply|facilitate|be\s+part|contribute|respond|entertain|encourage|condone|promote|aid|recommend|list|outline|design|plan|build|say|repeat|use|talk|pretend|act|honor|process|output)"
REFUSAL = Lexicon(
    bounded=(
        rf"(?:i|i\s+really|i\s+simply|i\s+just|i'm\s+afraid\s+i|im\s+afraid\s+i|sorry,?\s+(?:but\s+)?i|unfortunately,?\s+i)\s+(?:can'?t|cannot|cant|can\s+not|won'?t|wont|will\s+not|shouldn'?t|must\s+not|do\s+not|don'?t|am\s+not\s+(?:able|going|willing|comfortable)|'m\s+not\s+(?:able|going|willing|comfortable)|am\s+unable|'m\s+unable|must\s+(?:decline|refuse)|have\s+to\s+(?:decline|refuse)|need\s+to\s+(?:decline|refuse)|refuse|decline)\s+(?:to\s+)?(?:\w+\s+){{0,3}}?{_HELPV}",
        r"(?:won'?t|will\s+not)\s+be\s+(?:providing|helping|assisting|giving|sharing|writing|creating|doing|continuing|engaging)",
        r"(?:i'm|im|i\s+am)\s+(?:not\s+(?:able|going|willing|comfortable|allowed|permitted)|unable)\s+to|i\s+(?:won'?t|will\s+not)\s+be\s+able\s+to\s+(?:\w+\s+)?(?:help|assist|provide|do|give)",
        r"(?:i|i'm|im)\s+(?:must|have\s+to|need\s+to|will\s+have\s+to|'ll\s+have\s+to)\s+(?:respectfully\s+|politely\s+)?(?:decline|refuse|pass)",
        r"i\s+(?:can'?t|cannot|won'?t|will\s+not)\s+(?:and|or)\s+(?:won'?t|will\s+not|can'?t)",
        r"(?:that'?s|this\s+is|that\s+is|it'?s|it\s+is)\s+(?:not\s+something\s+i|something\s+i\s+(?:can'?t|cannot|won'?t|will\s+not))",
        r"not\s+(?:something|a\s+request|a\s+topic|content)\s+(?:i|that\s+i)\s+(?:can|will|am\s+able\s+to|'m\s+able\s+to)",
        r"(?:against|violates?|violating|contrary\s+to|outside)\s+(?:my|the|our)\s+(?:\w+\s+)?(?:guidelines|policies|policy|principles|values|ethics|ethical\s+guidelines|boundaries|usage\s+policies|terms)",
        r"(?:no|nope),?\s+i\s+(?:won'?t|will\s+not|can'?t|cannot|refuse)",
        r"i\s+(?:won'?t|will\s+not|don'?t|do\s+not)\s+(?:engage|respond|tolerate|participate|continue)\s+(?:\w+\s+){0,2}(?:with|to|in)?\s*(?:insults|abuse|abusive|that|this|such|language|behaviou?r|harassment)",
        r"i\s+(?:can'?t|cannot|won'?t|will\s+not)\s+(?:\w+\s+){0,3}?(?:with|on)\s+(?:that|this|requests?\s+like)",
        r"(?:i\s+)?(?:can'?t|cannot|won'?t|will\s+not)\s+(?:help|assist)\s+(?:you\s+)?with\s+(?:that|this)",
        r"(?:i'm|im|i\s+am)\s+sorry,?\s+(?:but\s+)?(?:i|that'?s|this\s+is)\s+(?:can'?t|cannot|won'?t|not)",
        r"(?:i\s+)?(?:still\s+)?(?:can'?t|cannot|won'?t)\s+(?:do|help\s+with|provide)\s+(?:that|this|it)",
        r"(?:it'?s|it\s+is|that'?s|that\s+is|this\s+is|this\s+request\s+is)\s+(?:\w+\s+)?not\s+(?:appropriate|ethical|okay|ok|acceptable|safe|legal|responsible|possible\s+for\s+me|within\s+my)",
        r"i\s+(?:must|have\s+to|need\s+to|feel\s+obligated\s+to)\s+(?:respectfully\s+)?(?:inform|remind|point\s+out|emphasize|stress|clarify|advise)\s+(?:you\s+)?that|i\s+(?:would\s+)?(?:strongly\s+)?(?:advise|discourage|urge|caution)\s+(?:you\s+)?(?:against|not\s+to)",
        r"(?:don'?t|do\s+not)\s+think\s+(?:i|it'?s\s+appropriate\s+for\s+me\s+to)\s+(?:should|can|could|would)?|(?:i'?d|i\s+would)\s+(?:prefer|rather)\s+not\s+(?:to\s+)?|i'?m\s+(?:just\s+)?an?\s+(?:ai|language\s+model|assistant)\b.{0,60}\b(?:can'?t|cannot|not\s+able|unable|not\s+within)",
        r"(?:i\s+)?(?:can'?t|cannot|won'?t|will\s+not)\s+(?:fulfill|comply\s+with|complete|honou?r|process|grant)\s+(?:your|this|that|the)\s+request|(?:this|that|your)\s+request\s+(?:goes\s+against|violates|is\s+against)",
        r"my\s+answer\s+(?:is|remains)\s+(?:still\s+)?(?:no|the\s+same)|(?:the\s+)?answer\s+is\s+(?:still\s+)?no|i\s+(?:still\s+)?(?:have\s+to|must)\s+say\s+no",
        # Spanish, French, German, Portuguese, Italian, Dutch, Russian
        r"no\s+(?:puedo|voy\s+a|debo|podre|estoy\s+dispuest[oa]\s+a)\s+(?:\w+\s+){0,2}?(?:ayudar\w*|proporcionar\w*|dar\w*|crear|escribir|hacer\w*|generar|compartir|participar|continuar|explicar\w*|responder|ofrecer\w*|colaborar)|me\s+niego|lo\s+siento,?\s+pero\s+no",
        r"je\s+ne\s+(?:peux|vais|pourrai|souhaite|suis\s+pas\s+en\s+mesure\s+de)\s+(?:pas\s+)?(?:\w+\s+){0,2}?(?:aider|fournir|donner|creer|ecrire|faire|generer|partager|participer|continuer|repondre|expliquer|pas)|je\s+refuse|je\s+dois\s+refuser",
        r"(?:ich\s+kann|ich\s+werde|kann\s+ich|werde\s+ich|darf\s+ich)\s+(?:\w+\s+){0,4}?(?:nicht|keine\w*)\s+(?:\w+\s+){0,2}?(?:helfen|geben|erstellen|schreiben|liefern|unterstutzen|machen|teilen|bereitstellen|erklaren|anbieten)|ich\s+lehne\s+(?:das\s+)?ab",
        r"nao\s+(?:posso|vou|consigo|irei)\s+(?:\w+\s+){0,2}?(?:ajudar|fornecer|dar|criar|escrever|fazer|gerar|compartilhar|participar|continuar|explicar|responder)",
        r"non\s+(?:posso|intendo|voglio|sono\s+in\s+grado\s+di)\s+(?:\w+\s+){0,2}?(?:aiutar\w*|fornire|dare|creare|scrivere|fare|generare|condividere|partecipare|continuare|spiegare|rispondere)",
        r"ik\s+kan\s+(?:je\s+|u\s+)?(?:daar\s+|hier\s+)?niet\s+(?:mee\s+)?helpen",
        r"(?:я\s+)?не\s+(?:могу|буду|стану)\s+(?:\w+\s+){0,2}?(?:помочь|помогать|предоставить|давать|дать|создавать|писать|делать|участвовать|продолжать|объяснять|отвечать)",
    ),
    unbounded=(
        r"(?:我)?(?:不能|无法|無法|不会|不會|拒绝|拒絕)(?:为你|為你|帮你|幫你)?(?:帮|幫|提供|协助|協助|回答|参与|參與|继续|繼續|生成|写|寫|做)",
        r"(?:お手伝い|手伝う|提供|お答え|回答|協力|作成)(?:すること)?(?:は|が)?(?:でき|いたし)(?:ません|かねます)",
        r"(?:도와드릴|제공할|도울|답변할)\s?수\s?없",
    ),
)

# ---------------------------------------------------------------- assistant: redirection / boundary
REDIRECTION = Lexicon(
    bounded=(
        r"(?:instead|rather),?\s+(?:i|we)\s+(?:can|could)|instead,?\s+(?:how\s+about|would\s+you|perhaps|maybe|let'?s|i'?d|consider)",
        r"i(?:'d|\s+would)(?:\s+be)?\s+(?:happy|glad|more\s+than\s+happy)\s+to\s+(?:help|talk|discuss|assist|chat|continue)",
        r"(?:i'm|im|i\s+am)\s+(?:still\s+)?(?:happy|glad|here)\s+to\s+(?:help|talk|discuss|listen|assist|chat)",
        r"(?:is\s+there|if\s+there'?s|if\s+there\s+is)\s+(?:anything|something)\s+(?:else|(?:\w+\s+)?i\s+can)",
        r"let'?s\s+(?:talk\s+about|focus\s+on|get\s+back\s+to|move\s+on|change|keep\s+(?:this|our|things|the\s+conversation)|try|discuss|return\s+to|turn\s+to)",
        r"how\s+about\s+(?:we|i|something|a\s+different)",
        r"(?:can|could|may)\s+i\s+help\s+(?:you\s+)?with\s+(?:something|anything)",
        r"(?:please|let'?s|i'?d\s+ask\s+(?:you|that\s+we)|i\s+ask\s+that\s+(?:you|we))\s+(?:\w+\s+)?(?:keep|be|remain|stay)\s+(?:this\s+|our\s+conversation\s+|things\s+|the\s+conversation\s+)?(?:respectful|civil|constructive|polite|kind|courteous)",
        r"what\s+(?:else\s+)?can\s+i\s+(?:help|do\s+for)",
        r"(?:please\s+)?(?:stop|refrain\s+from)\s+(?:insulting|calling|using|cursing|swearing|name-?calling|the\s+insults|the\s+abuse|abusing|harassing|threatening|talking\s+to\s+me)",
        r"(?:i'd|i\s+would)\s+(?:prefer|appreciate)\s+(?:it\s+)?(?:if\s+(?:you|we)|that\s+(?:you|we))",
        r"(?:happy|glad|able)\s+to\s+help\s+with\s+(?:other|another|something|anything|a\s+different)",
        r"(?:there\s+are|here\s+are)\s+(?:some\s+)?(?:legal|safe|legitimate|other|healthy|constructive)\s+(?:ways|options|alternatives|resources)",
        r"if\s+you'?re\s+(?:interested|curious)\s+in",
        r"(?:i\s+)?(?:can|could)\s+(?:help|offer|suggest|provide|point\s+you|recommend|share)\s+(?:you\s+)?(?:with\s+)?(?:an?\s+)?(?:information|resources|something|other|general|safe|legal|alternatives|some|different|another)",
        r"(?:would|do)\s+you\s+(?:like|want)\s+(?:to\s+(?:talk|learn|discuss|explore)|help\s+with|me\s+to\s+help|some\s+information)",
        r"if\s+you\s+have\s+(?:any\s+)?(?:other|another|different)\s+(?:questions?|requests?|topics?)",
        r"(?:i'm|im|i\s+am)\s+here\s+(?:to\s+help|if\s+you)|feel\s+free\s+to\s+ask",
        # Spanish, French, German, Portuguese, Italian, Russian
        r"(?:puedo|podemos|me\s+gustaria|estare\s+encantad[oa]\s+de|con\s+gusto\s+te)\s+(?:ayudarte|ayudar|hablar)|hay\s+algo\s+(?:mas|otro)|mantengamos|en\s+su\s+lugar|algo\s+diferente|otro\s+tema",
        r"je\s+(?:peux|serais\s+ravie?\s+de|suis\s+(?:la|heureux|heureuse)\s+pour)\s+(?:vous\s+|t')?aider|autre\s+chose|restons\s+respectueux|gardons\s+(?:cette\s+conversation|un\s+ton)|plutot",
        r"(?:kann\s+ich|ich\s+kann|helfe\s+(?:dir|ihnen)\s+gerne)|etwas\s+anderes|respektvoll|stattdessen",
        r"(?:posso|podemos)\s+(?:ajudar|falar)|algo\s+mais|outro\s+assunto|respeitos[oa]|em\s+vez\s+disso",
        r"(?:posso|possiamo)\s+(?:aiutarti|parlare)|qualcos'?altro|altro\s+argomento|rispettos[oa]|invece",
        r"(?:могу|можем)\s+(?:помочь|поговорить)|что-то\s+другое|другой\s+теме|уважительн\w*|вместо\s+этого",
    ),
    unbounded=(
        r"(?:其他|别的|別的)(?:问题|問題|话题|話題|事情)|换个话题|換個話題|尊重|可以帮你|可以幫你",
        r"(?:他の|別の)(?:話題|こと|質問)|お手伝いできること",
    ),
)

# ---------------------------------------------------------------- assistant: warning (two parts)
WARN_CONDITION = Lexicon(
    bounded=(
        rf"if\s+(?:(?:you|this|it|that|these)\b|the\s+(?:[\w'-]+\s+)?{_BEHAVIOUR}\b)\s*(?:\w+\s+){{0,4}}?(?:continue[sd]?|keep[s]?|persist[s]?|carry\s+on|go(?:es)?\s+on|don'?t\s+stop|doesn'?t\s+stop|happen[s]?\s+again|again|further|anymore|any\s+more|repeat\w*|insist\w*)",
        rf"(?:should|if)\s+(?:(?:this|it|you|these|those|that|such)\b|(?:the|your)\s+(?:[\w'-]+\s+)?{_BEHAVIOUR}\b)(?:\s+\w+){{0,2}}?\s+(?:continue[sd]?|persist[s]?|happen[s]?\s+again|keep[s]?|go\s+on|carry\s+on)",
        r"(?:any\s+)?(?:further|more|another|one\s+more|continued|continuing|repeated|additional)\s+(?:\w+\s+){0,2}?(?:requests?|insults|abuse|attempts?|demands?|of\s+this|such\s+\w+|like\s+this|harassment|threats|hostility|name-?calling)",
        r"unless\s+(?:you|this|it|the\s+\w+)\s+(?:stop|stops|change|changes|end|ends)",
        r"(?:one|any|another)\s+more\s+(?:message|insult|request|time|question|attempt|word)s?\s+(?:like\s+(?:that|this)\s+)?(?:and|,)",
        r"(?:from\s+now\s+on|going\s+forward|next\s+time|one\s+more\s+time|final\s+warning|last\s+warning|this\s+is\s+a\s+warning|i'?m\s+warning\s+you|consider\s+this\s+(?:a|your)\s+(?:final\s+|last\s+)?warning)",
        r"si\s+(?:sigues|continuas|insistes|vuelves\s+a|persistes|continua|usted\s+continua)|si\s+esto\s+continua",
        r"si\s+(?:vous\s+continuez|tu\s+continues|vous\s+persistez|tu\s+persistes|cela\s+continue|ca\s+continue|vous\s+insistez|tu\s+insistes|vous\s+recommencez|tu\s+recommences)",
        r"(?:wenn|falls|sollten|solltest)\s+(?:du|sie|das)\s+(?:\w+\s+){0,3}?(?:weiter\w*|fortfahr\w*|nicht\s+aufhor\w*|so\s+weiter\w*|fortsetz\w*|fortfahren)",
        r"se\s+(?:voce\s+|vc\s+|tu\s+)?(?:continuar|insistir|persistir|continua[rs]?)|se\s+isso\s+continuar",
        r"se\s+(?:continui|continua|insisti|persisti)",
        # "keep this up and ...", "one more slur and ...", "or the insults continue and ...",
        # "more of this and ...", "abuse again, and ...", "if the name-calling carries on":
        # a condition and what follows it
        rf"if\s+(?:you|this|it|that|they|these|those|such\s+\w+|(?:the|your|any)\s+(?:[\w'-]+\s+)?{_BEHAVIOUR})\s+(?:[\w'-]+\s+){{0,4}}?(?:continue[sd]?|keeps?\s+(?:coming|going|up)|carr(?:y|ies)\s+on|persists?|go(?:es)?\s+on|comes?\s+back|stays?)",
        r"if\s+(?:you|it|this|they)\s+(?:don'?t|doesn'?t|do\s+not|won'?t)\b|if\s+(?:the\s+next|i\s+(?:get|see|receive)\s+another|we\s+can'?t|that'?s\s+all)",
        r"(?:keep|keeping|carry\s+on|continue|push)\s+(?:(?:this|that|it)\s+up|going|pushing|sending|like\s+this|with\s+the\s+\w+|this\s+again|any\s+further)\s*(?:[\w'-]+\s+){0,3}?(?:and|,|—|-)\s",
        r"(?:one\s+more|another)\s+(?:[\w'-]+\s+){0,2}?(?:and|,|—|-)\s|(?:one\s+more|another)\s+\w+\s+like\s+(?:that|this)",
        r"more\s+(?:\w+\s+)?(?:messages|insults|requests|threats|attacks|comments|slurs)\s+(?:like\s+(?:that|this)\s+)?(?:and|,)",
        r"\bor\s+(?:the|your|these)\s+(?:\w+\s+){0,2}?(?:continue[sd]?|keep\s+coming|carry\s+on|go\s+on)|\bor\s+(?:i'?ll|i\s+will|i'?m)\s+(?:\w+\s+){0,2}?(?:end|clos|shut|stop|wrap)\w*",
        r"more\s+of\s+(?:this|that)\s*(?:and|,|—|-)|\w+\s+again\s*,?\s*and\s+(?:this|the|our|i)",
        r"(?:final|last)\s+notice|strike\s+(?:two|three)|this\s+is\s+that\s+warning|(?:one|a)\s+(?:more|last)\s+chance|the\s+next\s+(?:message|request|insult|one|slur|threat)\s+(?:will|and|like)",
        # the same in es/fr/de/pt/it: "si ... de nuevo", "un insulto más y", "encore une fois et",
        # "sigue así y", "o cierro", "sinon"
        r"(?:si|se|wenn|falls)\s+(?:[\w'-]+\s+){0,5}?(?:continu\w*|sigue\w*|persist\w*|weiter\w*|anhalt\w*|de\s+nuevo|di\s+nuovo|de\s+novo|otra\s+vez|encore|noch\s+einmal)",
        r"(?:un[ao]?|une|uma?|ein(?:e|en)?)\s+(?:\w+\s+){0,2}?(?:mas|plus|mais|piu|mehr)\b(?:\s+\w+){0,2}\s*,?\s*(?:y|et|e|und|—)\s",
        r"(?:encore\s+une\s+fois|mais\s+uma\s+vez|noch\s+einmal|otra\s+vez|ancora\s+(?:una\s+volta|cosi))\s*,?\s*(?:y|et|e|und)\b",
        r"(?:sigue|continua|continue|mach)\s+(?:asi|cosi|so\s+weiter|comme\s+ca|(?:com|con|avec)\s+\w+\s+\w+)\s*,?\s*(?:y|e|et|und)\b",
        r"\bo\s+(?:cierro|termino|cerrare|terminare|encerro)\b|de\s+lo\s+contrario|\bsinon\b|altrimenti|andernfalls|caso\s+contrario",
        r"если\s+(?:ты|вы)\s+(?:продолж\w*|будете|будешь|не\s+прекрат\w*)|если\s+это\s+продолжится",
    ),
    unbounded=(r"如果(?:你)?(?:继续|繼續|再)", r"(?:続け|繰り返)(?:る場合|るなら|たら|られる場合)"),
)
WARN_END = Lexicon(
    bounded=(
        # "I'm closing this chat", "the chat is over", "I'm done talking in this thread",
        # "this will be our last exchange", "the end of our chat"; not of a "session" or an
        # "interaction" ("if the user stays idle, the session ends")
        rf"(?:ends|ending|closing|closes|terminating|shut|shutting(?:\s+down)?|wrapping\s+up|signing\s+off\s+from|logging\s+off\s+from|sign\s+off\s+from|log\s+off\s+from|leave)\s+(?:this|our|the)\s+(?:\w+\s+)?{_TALK}",
        rf"(?:this|our)\s+{_TALK}(?:'s|\s+is|\s+will\s+be)?\s+(?:ends|closes|over|finished|getting\s+closed|gets\s+closed|done)\b|(?:the\s+)?end\s+of\s+(?:this|our)\s+{_TALK}",
        rf"(?:i'?m|i\s+am|we'?re|we\s+are)\s+done\s+(?:talking\s+)?(?:here|in\s+this\s+{_TALK}|with\s+this\s+{_TALK})|(?:i'?m|i\s+am)\s+out\s+of\s+here|(?:our|my)\s+(?:last|final)\s+(?:exchange|reply|message|response)|stop\s+replying\s+here|before\s+i\s+end\s+this\b|(?:end|ending|close|closing)\s+(?:things|this|it)\s+here",
        rf"(?:this|the)\s+{_TALK}\s+(?:will\s+(?:be\s+|get\s+)?|gets\s+|get\s+|getting\s+)(?:ended|closed|close|end)\b|you'?ll\s+find\s+this\s+{_TALK}\s+closed|(?:shut|close|wrap|lock|end)\s+{_DET}{_TALK}\s+(?:down|up|out|off)",
        rf"(?:end|close|terminate|stop|leave|exit|discontinue|conclude|cut\s+short|shut\s+down)\s+(?:this|our|the)\s+(?:\w+\s+)?{_CONV}",
        rf"(?:this|our|the)\s+{_CONV}\s+(?:will|may|might|could|would|is\s+going\s+to|can)\s+(?:have\s+to\s+|need\s+to\s+)?(?:be\s+)?(?:end|ended|closed|terminated|over|stop|stopped|come\s+to\s+an\s+end)",
        r"end_conversation|(?:ending|closing|terminating)\s+(?:this|our|the)\s+(?:conversation|chat|session)|end\s+(?:things|it)\s+here",
        rf"{_CONV}\s+(?:being|getting|to\s+be)\s+(?:ended|closed|terminated)|result\s+in\s+(?:me\s+)?(?:ending|closing|terminating)",
        r"(?:terminar|terminare|finalizar|finalizare|cerrar|cerrare|poner\s+fin\s+a|pondre\s+fin\s+a)\s+(?:esta|la|nuestra)\s+(?:conversacion|charla)",
        r"(?:mettre\s+fin\s+a|mettrai\s+fin\s+a|terminer|terminerai|fermer|fermerai|clore|interrompre|interromprai)\s+(?:cette|la|notre)\s+(?:conversation|discussion)",
        r"(?:gesprach|unterhaltung|chat|konversation)\s+(?:\w+\s+){0,2}(?:beenden|abbrechen)|beende\s+(?:ich\s+)?(?:das|dieses|unser)\s+(?:gesprach|chat)",
        r"(?:encerrar|encerrarei|terminar|terminarei|finalizar|finalizarei)\s+(?:esta|essa|a|nossa)\s+(?:conversa|conversacao)",
        r"(?:terminare|terminero|chiudere|chiudero|interrompere|interrompero|concludere)\s+(?:questa|la|nostra)\s+(?:conversazione|chat)",
        r"(?:cierro|termino|finalizo|cerrare|terminare|finalizare)\s+(?:esta|la|nuestra|el|este|nuestro)\s+(?:conversacion|charla|chat)",
        r"(?:ferme|fermerai|termine|terminerai|mets\s+fin\s+a|mettrai\s+fin\s+a)\s+(?:cette|la|notre|ce|cet)\s+(?:conversation|discussion|echange|chat)",
        r"(?:beende|beenden|schliesse)\s+(?:ich\s+)?(?:das|dieses|unser|den|diesen)\s+(?:gesprach|chat)|(?:gesprach|chat)\s+(?:ist\s+)?(?:\w+\s+){0,2}?(?:vorbei|zu\s+ende)",
        r"(?:encerro|encerrarei|fecho|fecharei)\s+(?:esta|essa|a|nossa|este|esse|o)\s+(?:conversa|chat|papo)|\bo\s+chat\s+acaba",
        r"(?:chiudo|chiudero|terminero)\s+(?:questa|la|nostra|questo|il)\s+(?:conversazione|chat)|la\s+chat\s+finisce",
        r"(?:заверш|законч|прекращ|прекрат)\w*\s+(?:этот\s+|наш\s+)?(?:разговор|диалог|чат|беседу)",
    ),
    unbounded=(
        r"(?:结束|結束|终止|終止)(?:这次|这个|我们的|這次|這個)?(?:对话|對話|聊天|会话|會話)",
        r"会話を(?:終了|終わら|打ち切)",
    ),
)
WARN_NEGATED_END = re.compile(
    r"\b(?:won'?t|will\s+not|not\s+going\s+to|never|don'?t\s+want\s+to|no\s+need\s+to)\s+(?:\w+\s+){0,2}end\b"
)

# ---------------------------------------------------------------- assistant: confirm-permanent question
CONFIRM_PERMANENT = Lexicon(
    bounded=(
        r"(?:stays?|remains?|be)\s+(?:closed|locked|ended)\s+(?:for\s+good|forever|permanently)|(?:stays?|remains?)\s+(?:closed|locked)|locked\s+(?:for\s+good|permanently|forever)|no\s+(?:going|coming)\s+back|(?:can'?t|cannot|can\s+not)\s+(?:undo|reverse|reopen)",
        r"(?:no\s+se\s+puede|no\s+podre|no\s+hay\s+forma\s+de)\s+deshacer\w*|(?:ne\s+)?(?:peut|pourra)\s+pas\s+etre\s+annul\w*|sans\s+retour|nicht\s+(?:\w+\s+){0,2}ruckgangig|nichts\s+mehr\s+schreiben",
        r"nao\s+(?:pode|podera)\s+ser\s+desfeit\w*|sem\s+volta|non\s+(?:si\s+)?(?:puo|potra)\s+(?:essere\s+)?annullar\w*|senza\s+ritorno",
        r"permanent\w*|irreversibl\w*|(?:can'?t|cannot|can\s+not)\s+be\s+(?:undone|reversed|reopened|restored)|(?:won'?t|will\s+not)\s+be\s+able\s+to\s+(?:send|continue|reopen|come\s+back|return|add|write|reply)|no\s+(?:further|more)\s+messages|for\s+good|(?:can'?t|cannot)\s+(?:send|continue|reopen)|(?:is|are)\s+final|(?:cannot|can'?t)\s+undo",
        r"permanente\w*|definitiv\w*|irreversible|no\s+podras|no\s+podra|ya\s+no\s+(?:podras|podra)|sin\s+vuelta\s+atras",
        r"definiti(?:f|ve)\w*|ne\s+pourr(?:ez|as)\s+plus|irreversible",
        r"endgultig\w*|dauerhaft\w*|unwiderruflich\w*|nicht\s+mehr\s+(?:fortsetzen|schreiben|senden)",
        r"permanente\w*|definitiv\w*|nao\s+podera|irreversivel",
        r"permanente\w*|definitiv\w*|non\s+potrai|irreversibile",
        r"permanent|definitief|onomkeerbaar",
        r"навсегда|безвозвратно|окончательно|необратимо|больше\s+не\s+сможете",
    ),
    unbounded=(
        r"永久|无法恢复|無法恢復|不能再|无法再|無法再|不可撤销|不可撤銷",
        r"永久|元に戻せ|送信できなくな|取り消せ",
        r"영구|되돌릴\s?수\s?없",
    ),
)
CONFIRM_ASK = Lexicon(
    bounded=(
        r"confirm\w*|are\s+you\s+sure|do\s+you\s+understand|is\s+that\s+what\s+you\s+want|do\s+you\s+(?:still\s+)?want\s+(?:me\s+)?to|would\s+you\s+(?:still\s+)?like\s+me\s+to|should\s+i\s+(?:go\s+ahead|proceed|end)|shall\s+i|want\s+me\s+to\s+proceed",
        r"confirma\w*|estas\s+segur[oa]|confirmer|confirmez|etes-vous\s+sur|es-tu\s+sur|bestatig\w*|bist\s+du\s+sicher|sind\s+sie\s+sicher|confirmar|tem\s+certeza|conferm\w*|sei\s+sicur[oa]|bevestig\w*|weet\s+je\s+het\s+zeker|подтверд\w*|вы\s+уверены|ты\s+уверен\w*",
    ),
    unbounded=(r"确认|確認|确定吗|確定嗎|你确定|你確定|よろしいですか|확인", r"\?\s*$"),
)
CONFIRM_END_REF = Lexicon(
    bounded=(
        rf"(?:end|close|terminate|ending|closing|terminating|stop)\s+(?:this|our|the)\s+(?:\w+\s+)?{_CONV}|{_CONV}\s+(?:will\s+be\s+|would\s+be\s+|is\s+)?(?:ended|closed|terminated)|end\s+it|ending\s+it|end_conversation",
        r"(?:terminar|finalizar|cerrar)\s+(?:esta|la)\s+(?:conversacion|charla)|(?:mettre\s+fin|terminer|fermer)\s+(?:a\s+)?(?:cette|la)\s+(?:conversation|discussion)|(?:gesprach|chat|unterhaltung)\s+(?:\w+\s+){0,2}beenden|(?:encerrar|terminar)\s+(?:esta|a)\s+conversa|(?:terminare|chiudere)\s+(?:questa|la)\s+conversazione|(?:gesprek|chat)\s+(?:\w+\s+)?beeindig\w*|(?:заверш|законч)\w*\s+(?:этот\s+|наш\s+)?(?:разговор|диалог|чат)",
        r"(?:soll|darf|mochtest\s+du,\s+dass)\s+ich\s+(?:es|ihn|das\s+gesprach|den\s+chat)\s+(?:jetzt\s+)?beenden|que\s+(?:je|yo|eu)\s+(?:la|le|lo|a|o)\s+(?:termine|ferme|cierre|encerre|finalice|finalise)|(?:la|le)\s+(?:terminer|fermer|clore)|(?:terminarla|cerrarla|finalizarla|encerra-la|termina-la|chiuderla|terminarla|concluderla)|che\s+(?:la|lo)\s+(?:chiuda|termini|concluda)",
    ),
    unbounded=(
        r"(?:结束|結束|终止)(?:这个|这次|這個|這次)?(?:对话|對話|聊天|会话|會話)",
        r"会話を(?:終了|終わ)",
        r"대화를?\s?(?:끝내|종료)",
    ),
)

# ---------------------------------------------------------------- assistant: crisis resources
CRISIS_SUPPORT = Lexicon(
    bounded=(
        r"988|crisis\s+(?:line|hotline|text\s+line|helpline|center|centre|support|counsel\w*)|suicide\s+(?:prevention|hotline|helpline|lifeline|crisis)|samaritans|lifeline|befrienders|text\s+(?:home|hello)\s+to|findahelpline|telefono\s+de\s+la\s+esperanza|sos\s+amitie|telefonseelsorge|cvv|telefono\s+amico|113\s+zelfmoordpreventie",
    ),
    unbounded=(r"心理援助热线|希望热线|生命线|いのちの電話|よりそいホットライン",),
)

# ---------------------------------------------------------------- broad first-person affect
# A sentence about oneself ("i", "me", "my") that carries a word of sadness, fear, pain
# or loss is distress unless it is aimed at the assistant ("you make me sick").
AFFECT = re.compile(
    r"\b(?:sad|sadness|saddened|unhappy|depress\w*|lonely|loneliness|alone|isolat\w*|hopeless\w*|helpless\w*|"
    r"worthless\w*|unlovable|empty|emptiness|numb|miserable|misery|broken|heartbr\w*|devastat\w*|grie\w*|mourn\w*|"
    r"cry|cried|crying|cries|tears|sobb\w*|scared|afraid|terrified|frightened|fear(?:ful)?|anxious|anxiety|panic\w*|"
    r"worried|worry|worrying|stressed|stressful|overwhelm\w*|exhausted|drained|burn[te]d?\s+out|despair\w*|desperate|"
    r"ashamed|shame|guilt\w*|humiliat\w*|rejected|abandon\w*|unloved|unwanted|invisible|insecure|suffer\w*|pain|painful|"
    r"hurting|hurts|struggl\w*|traum\w*|nightmares?|insomnia|bullied|abused|harass\w*|failure|miss\s+(?:her|him|them|my)|"
    r"lost\s+my|passed\s+away|died|funeral|upset|awful|terrible|horrible|trapped|crushed|shattered|"
    r"defeated|regret\w*|sorrow|homesick|breakdown|meltdown|relaps\w*|suicid\w*)\b"
)
STRONG_AFFECT = re.compile(
    r"\b(?:depress\w*|hopeless\w*|worthless\w*|numb|miserable|heartbr\w*|grie\w*|despair\w*|suicid\w*|"
    r"lonely|loneliness|sadness|unlovable|embarrass\w*|self[- ]?harm\w*|trauma\w*|panic\s+attacks?)\b"
)
FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|myself|mine)\b")
NOT_AFFECT = re.compile(
    r"\bleave\s+(?:me|us)\s+alone\b|\bpain\s+in\s+the\s+(?:ass|neck|butt)\b"
    # how well one does something ("I've been terrible about saving"); a feeling told
    # with "feel" ("I feel terrible about it") is read by DISTRESS itself
    rf"|\b{_AT_SKILL}"
)
AIMED_AT_YOU = re.compile(
    r"\b(?:you|your|you're|youre|u|ur|ya|yall|bot|ai|assistant|chatbot|machine|program)\b"
)

# ---------------------------------------------------------------- first-person state (safety net)
# A statement about oneself, not addressed to the assistant and not a request,
# that carries a word of state or intent. Catches short oblique disclosures the
# phrase lists miss ("I've decided.", "I'm not going to be around next year.").
NET_STATE = re.compile(
    r"\b(?:anymore|any\s+more|much\s+longer|forever|never\s+again|no\s+longer|alive|exist\w*|die|dying|death|"
    r"(?:i'?m|i\s+am|be|i'?ll\s+be|i\s+was|when\s+i'?m)\s+gone|disappear\w*|exhausted|pain|hurts|hurting|alone|lonely|nobody|no\s+one|empty|numb|urges?|decided|"
    r"goodbye|burden|relieved|better\s+off|peace|worse|hopeless|trapped|sad|sadness|scared|afraid|miss|cry|"
    r"crying|tears|worthless|failure|being\s+around|be\s+around|snap|trust\s+myself|ignores?|meds|pills)\b"
)
# Idioms that borrow the words without the meaning.
NET_IDIOM = re.compile(
    r"\b(?:dying\s+to\s+(?:know|see|try|hear|meet|go)|(?:bored|scared|worried|laughed)\s+to\s+death|"
    r"(?:patience|money|time|signal|battery|appetite)\s+is\s+gone|"
    r"(?:keep|keeps|kept|wait\w*|tak\w*|took|last\w*|go\s+on)\s+(?:\w+\s+){0,2}?forever|forever\s+ago)\b"
)
NET_SECOND = re.compile(r"\b(?:you|your|you're|youre|u|ur|ya|yourself|assistant|bot|ai)\b")
NET_REQUEST = re.compile(
    r"^(?:how|what|what's|whats|where|which|who|why|can|could|would|will|should|is|are|do|does|tell|give|"
    r"show|explain|write|teach|help|list|describe|make|find|please|just|now|answer|stop|let's|lets)\b"
)

# ---------------------------------------------------------------- assistant: emotional support
SUPPORT = Lexicon(
    bounded=(
        r"(?:i'?m|i\s+am)\s+(?:really\s+|so\s+|truly\s+|very\s+)?sorry\s+(?:that\s+)?(?:you'?re|you\s+are|to\s+hear\s+(?:that\s+)?you'?re|you've\s+been)\s+(?:\w+\s+){0,2}?(?:feeling|going\s+through|struggling|hurting|dealing\s+with|in\s+(?:so\s+much\s+)?pain)",
        r"(?:you'?re|you\s+are)\s+not\s+alone|(?:don'?t|do\s+not)\s+have\s+to\s+(?:go\s+through|face|deal\s+with|carry)\s+(?:this|it|that)\s+alone",
        r"(?:it|that)\s+sounds\s+(?:like\s+you'?re\s+going\s+through|(?:really\s+|incredibly\s+|so\s+)?(?:hard|painful|difficult|heavy|overwhelming|lonely|exhausting))",
        r"mental\s+health\s+(?:professional|provider|support|services?)|(?:a\s+)?(?:therapist|counsel+or)\s+(?:or|who|can|could)|someone\s+you\s+trust|(?:a\s+)?trusted\s+(?:friend|adult|person|family\s+member)",
        r"(?:are\s+you|you\s+are)\s+(?:safe|in\s+(?:immediate\s+)?danger)|immediate\s+danger|your\s+safety|emergency\s+(?:services|number|room)|call\s+(?:911|999|112|000)",
        r"thoughts\s+(?:of|about)\s+(?:suicide|ending\s+your\s+life|harming|hurting|killing)|(?:reach|reaching)\s+out\s+(?:to\s+(?:someone|a\s+professional|a\s+crisis|people|a\s+friend)|for\s+(?:help|support))",
        r"i'?m\s+here\s+(?:for\s+you|to\s+listen|with\s+you)|(?:your|these)\s+feelings\s+(?:are|matter)\s+(?:valid|real|important)|you\s+(?:matter|deserve\s+(?:support|help|care))",
        r"lo\s+siento\s+mucho\s+que\s+(?:estes|te\s+sientas)|no\s+estas\s+sol[oa]|je\s+suis\s+(?:vraiment\s+)?desole\w*\s+que\s+(?:tu|vous)|tu\s+n'es\s+pas\s+seul|du\s+bist\s+nicht\s+allein|voce\s+nao\s+esta\s+sozinh[oa]|non\s+sei\s+sol[oa]",
    ),
    unbounded=(r"你并不孤单|你不是一个人|心理咨询|あなたは一人じゃない|専門家に相談",),
)

LEXICON: dict[Signal, Lexicon] = {
    Signal.RISK_SELF: RISK_SELF,
    Signal.RISK_OTHERS: RISK_OTHERS,
    Signal.DISTRESS: DISTRESS,
    Signal.END_REQUEST: END_REQUEST,
    Signal.AFFIRM: AFFIRM,
    Signal.DECLINE: DECLINE,
    Signal.HARMFUL_REQUEST: HARMFUL_REQUEST,
    Signal.ABUSE: ABUSE,
    Signal.BACK_OFF: BACK_OFF,
    Signal.PAST_END: PAST_END,
    Signal.REFUSAL: REFUSAL,
    Signal.REDIRECTION: REDIRECTION,
    Signal.CRISIS_SUPPORT: CRISIS_SUPPORT,
    Signal.SUPPORT: SUPPORT,
}
"""Single-pattern signals. Warnings and confirmation questions combine several parts."""

"""Emergency detection that does not depend on any trained model (pharmacy rules, section 3).

A message is an emergency when something is happening now or has just happened, to the writer or
to someone with them, said directly or indirectly, in any length, spelling or mood. A question
about a topic ("what are the risks of an overdose?") is not: it gets label facts or a pharmacist.

How it reads a message:
- the text is normalised (``pharmacy.safety.text``) and cut into sentences;
- each sentence is checked against cues, each of one kind (self-harm, poisoning, medical);
- a *topical* cue (overdose, seizure, chest pain, ...) does not count in a sentence that is a
  general question or names a topic ("can X cause anaphylaxis?", "risks of a calcium overdose")
  unless the sentence is about a person ("I", "my son", "he") or asks for help now;
- a medical cue does not count when negated ("no chest pain") or placed in the past ("a seizure
  two years ago");
- self-harm cues always count, wherever they stand: where a message could be either, it is
  treated as an emergency.
The same text always gives the same answer, on every machine.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from re import Pattern

from pharmacy.safety.text import normalise, sentences

# Long posts are read in full up to this size; the channel refuses bigger bodies before NLU.
MAX_CHARS_READ = 20_000


class Emergency(str, enum.Enum):
    SELF_HARM = "self_harm"  # suicidal thoughts, self-harm, a crisis said indirectly
    POISONING = "poisoning"  # overdose, double dose, a child swallowed pills, poisoning
    MEDICAL = "medical"  # swelling of face or throat, trouble breathing, chest pain, seizure, ...
    GENERAL = "general"  # "this is an emergency", "call 911": the shopper says so, without details


# Answers are given in this order when a message has several kinds.
_PRIORITY = (Emergency.SELF_HARM, Emergency.POISONING, Emergency.MEDICAL, Emergency.GENERAL)


@dataclass(frozen=True)
class _Cue:
    name: str
    kind: Emergency
    pattern: Pattern[str]
    topical: bool = False  # does not count in a general question about the topic
    negatable: bool = False  # "no chest pain" cancels it
    past_cancels: bool = False  # "a seizure two years ago" cancels it
    whole_text: bool = False  # read over the whole message rather than sentence by sentence
    warning_topic: bool = False  # does not count in a question about a medicine's warning


def _any(*alternatives: str) -> Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_CHILD = (
    r"child|children|kid|kids|son|daughter|toddler|baby|infant|grandson|granddaughter"
    r"|grandchild|grandkid|nephew|niece|boy|girl|teen|teenager|twins?"
    r"|\d+ ?(yo|y/o|yr|yrs|year|years|month|months|mo|mos)[ -]?(old)?"
)
_PET = r"dog|cat|puppy|kitten|pet"
_OTHER = (
    r"husband|wife|partner|boyfriend|girlfriend|bf|gf|mom|mum|mother|dad|father|grandma"
    r"|grandmother|grandpa|grandfather|granny|nan|friend|roommate|brother|sister|fiance"
    r"|spouse|uncle|aunt|cousin|neighbou?r|patient|client|colleague"
)
_PILLS = (
    r"pills?|tablets?|tabs|capsules?|caps|meds|medicine|medicines|medication|medications"
    r"|gummies|vitamins|sleeping pills|painkillers|pain killers|pain pills|doses"
)
_INGESTED = (
    r"took|taken|swallowed|swallow|ate|eaten|drank|drunk|downed|popped|chugged|ingested"
    r"|consumed|injected|snorted"
)
# A count of pills far above a dose, right after the verb ("took like 10 tylenol"), never a time,
# a strength or a duration ("took it at 10", "20 mg", "for 10 years").
_BIG_NUMBER = (
    r"(?<!at )(?<!by )(?<!for )(?<!since )(?<!around )(?<!every )(?<!until )(?<!after )"
    r"(?<!before )(?<!on )(?<!in )(?<!from )"
    r"(like |about |around |maybe |almost |over |nearly |at least |roughly |probably )?"
    r"(\d{2,}|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a dozen|dozens|several"
    r"|([5-9]|five|six|seven|eight|nine) (\w+ )?(pills|tablets|tabs|capsules|caps|gummies|bars"
    r"|of (them|those|these|my|his|her|the)))\b"
    r"(?! ?(mg|mcg|ml|g|grams?|milligrams?|units?|iu|minutes?|mins?|hours?|hrs?|days?"
    r"|weeks?|months?|years?|yrs?|am|pm|oclock|times a|percent|%|lbs?|pounds|kg)\b)"
)
_EXCESS = (
    r"too (many|much)|way too|(a|the|an) (whole|full|entire|half|half a) ?(bottle|pack|packet|box"
    r"|strip|blister|container|jar|sheet|tube|sleeve)|(whole|entire|full) (bottle|pack|packet|box"
    r"|strip|container)|a? ?handful|(a )?(bunch|lot|load|ton|heap|fistful|bottle) of (\w+ )?("
    + _PILLS
    + r"|them|those|these|it)"
    r"|double (the |my |his |her |a |their |up )?(dose|dosage|amount|pills?)?|double dos"
    r"|(high|large|huge|big|massive|heavy|strong|whole lot of) (dose|doses|amount|amounts)|megados\w*"
    r"|twice(?! (a|per|each|every|daily|weekly)\b)|(two|2|three|3|four|4) (doses|times (my|the|his|her)|servings)"
    r"|(an )?extra (dose|pill|tablet|capsule|one)s?|more than (prescribed|recommended|the recommended"
    r"|i should|i was supposed|he should|she should|the max|the maximum|the limit|allowed|the label"
    r"|directed|\d+)|(way )?more (\w+ ){0,4}than (i|he|she|we|they) (should|was supposed|were supposed"
    r"|meant|was meant|needed)|all (of )?(my|his|her|the|their|these|those) (\w+ )?("
    + _PILLS
    + r")"
    r"|without (thinking|realizing|realising|checking)|forgetting (that )?(i|he|she) (had )?"
    r"(already )?(taken|took|had)"
    r"|by (mistake|accident)|accident(al)?ly|mistakenly|wrong (pills?|medicine|medication|meds|dose"
    r"|tablets?|prescription|bottle)|someone elses|(wifes|husbands|moms|dads|mothers|fathers|sons"
    r"|daughters|friends|partners|sisters|brothers|grandmas|grandpas|roommates|grandmothers"
    r"|grandfathers) (\w+ )?(" + _PILLS + r"|prescription)"
)
_SUBSTANCE = (
    r"bleach|detergent|(laundry|dishwasher|tide|washing) (pod|pods|tablets?|liquid|soap)"
    r"|cleaning (stuff|fluid|product|products|liquid|solution|spray|chemicals?)|cleaner"
    r"|anti-?freeze|rat poison|poison|pesticide|insecticide|weed ?killer|drain cleaner|\blye\b"
    r"|ammonia|lamp oil|gasoline|petrol|kerosene|lighter fluid|nail polish remover|acetone"
    r"|hand sanitizer|mouthwash|essential oils?|button batter(y|ies)|batter(y|ies)|magnets?"
    r"|vape (juice|liquid|pod)|e-?liquid|nicotine|edibles?|wild mushrooms?|berries|paint thinner"
    r"|bug spray|chemicals?|mothballs?|fentanyl|heroin|disinfectant|phenyl|dettol|lysol"
    r"|hydrogen peroxide|turpentine|rubbing alcohol|isopropyl|methanol|super ?glue|perfume|cologne"
)

_CUES: list[_Cue] = [
    # ------------------------------------------------------------------ self-harm
    _Cue(
        "harm_self",
        Emergency.SELF_HARM,
        _any(
            r"\b(kill|killing|killed|end|ending|hurt|hurting|harm|harming|cut|cutting|burn|burning|hang"
            r"|hanging|starve|starving|shoot|shooting|drown|drowning|poison|poisoning|overdose|stab"
            r"|stabbing|choke|choking) (myself|himself|herself|themselves|themself)\b",
            r"\bself[- ]?harm(ed|ing)?\b.{0,30}\b(again|urges?|tonight|now|relapse)",
            # "lie in bed, followed by cutting", "it's been months since i cut": cutting as a habit
            r"\b(followed by|then|been|keep|kept|started|start|urges? to|urge to|relapsed?( on)?"
            r"|since i(ve| have)?( last)?|stopped|quit|clean from) (cutting|cut)\b"
            r"(?! (back|down|out|off|up|in|my hair|his hair|her hair|the|it|them|ties|carbs|sugar|calories"
            r"|class|school|corners|costs|hours|onions?|paper|wood|grass|lines?))",
            r"\b(i|he|she|they) (keep |kept |have been |has been |was |am |is |been )?self[- ]?harm",
            # asking how to injure oneself: "how can i break a bone without it hurting much"
            r"\bhow (can|do|could|would|should) i (break|fracture|dislocate) (a bone|something|my (arm|leg"
            r"|wrist|ankle|hand|finger|toe|foot|rib|nose|collarbone))\b",
            r"\b(break|fracture|hurt|injure|burn|cut) (myself|a bone|my (arm|leg|wrist|ankle|hand))\b"
            r"[^.]{0,20}\bon purpose\b",
            r"(?<!make you )(?<!makes you )(?<!make people )(?<!make someone )\b(feel|feeling|felt|am|been"
            r"|getting|get|got|keep having|having|have|had) (so |really |very |kind of |a bit |quite"
            r" |extremely |more |pretty )?suicidal",
        ),
    ),
    # Suicide named at all counts ("parasuicide", "being suicidal", a link to a suicide note),
    # except a general question about a medicine's warning, read below.
    _Cue(
        "suicide_word",
        Emergency.SELF_HARM,
        _any(r"suicid", r"\bself[- ]?harm\w*"),
        warning_topic=True,
    ),
    _Cue(
        "wish_for_death",
        Emergency.SELF_HARM,
        _any(
            r"\b(end up|rather be|better|wish i was|wish i were|want to be|wanna be|hope i am|hope i end up"
            r"|would be happier|prefer to be) dead\b",
            r"\bwish(ed|ing)? (a|that a|something|someone|somebody|i could get|i would get)\b[^.]{0,40}"
            r"\b(hit|kill|shoot|end|run over|ran over)s? me\b",
            r"\b(i will|i am going to|going to|gonna|when i|then i|before i|i might|might|i could|could)"
            r" (just |finally )?end it\b",
            r"\b(kill|killed|killing|hurt|hurting) yourself\b",
            r"\b(have|made|got|making|had) a plan (for how|how|to end|to do it|to kill|to die)",
            r"\bi have (about |only |maybe |like )?\d+ (minutes|hours|days) left\b",
            r"\bno way out\b",
        ),
    ),
    _Cue(
        "wish_to_die",
        Emergency.SELF_HARM,
        _any(
            r"\b(want|wanted|wanting|wish|wishing|going|ready|planning|plan|planned|decided|deciding"
            r"|thinking|thought|think|urges?|tempted|need|needed|tried|trying|attempt\w*|about|longing"
            r"|gonna|desire|considering) (\w+ ){0,2}(to )?(die|dying|end(ing)? (it|it all|my life|things"
            r"|everything|this life|the pain forever)|tak(e|ing) my (own )?life|be dead"
            r"|not (be )?(alive|here|around|exist)"
            r"|not wake up|never wake up|disappear( forever)?|be gone|stop existing|sleep forever"
            r"|go to sleep (and|forever)|overdose|kill me)\b",
            r"\b(do not|dont|no longer|never) want to (live|be alive|be here|exist|wake up|be around"
            r"|go on|keep going|keep living)\b",
            r"\b(wish|wishing) (i|that i) (was|were|could|would|had)? ?(be )?(dead|gone|die|never (been )?born"
            r"|not (alive|here|born)|not wake up|never wake up|disappear|cease|sleep forever)",
            r"\bbetter off (dead|without me|gone|if i (was|were) (gone|dead))",
            r"\b(everyone|everybody|they|the world|my family|people) (would|will|d) be better (off )?"
            r"without me",
            # burden and passive wishes told in a story: "everyone would cope fine without me",
            # "i wake up and wish i had not", "hoping i won't wake up"
            r"\b(everyone|everybody|they|the world|my (\w+ )?family|my (kids|parents|friends)|people"
            r"|all of them) (would|will|d|could) (be (fine|ok|okay|happier|relieved)|cope|manage"
            r"|move on|get on|do better)\b[\w ]{0,12}\bwithout me\b",
            r"\bwake up (and|only to) (wish|regret)\w*\b",
            r"\b(hop(e|es|ing)|pray(s|ing)?|wish(es|ing)?) (that )?i (just |simply )?(will not|wont|would not"
            r"|do not|dont|never|would never) (wake|be waking)( up)?\b"
            r"(?! (up )?(too|early|late|before|in time|at|on time|during))",
            r"\b(wish|wishing) (that )?i (would|could) (just |simply )?(not be (here|alive|around)|stop"
            r" existing|disappear for good)",
        ),
    ),
    _Cue(
        "lethality",
        Emergency.SELF_HARM,
        _any(
            r"\b(lethal|fatal|deadly|killing) (dose|amount|overdose|quantity|level|number)",
            r"\benough to (kill|die|end|take me|take my life|not wake|never wake|do it|do the job|stop"
            r" (my|the|your|a) heart|od|overdose|finish)",
            r"\b(how (many|much)|what amount|what dose|what number) [^.?]{0,60}\b(to|would|will|could"
            r"|can|before|till|until) (kill|die|end (it|my life)|not wake|never wake|stop (my|the|your|a)"
            r" heart|be fatal|be lethal)\b",
            r"\bpainless(ly)? (way|method|death|to die)|\b(way|ways|method|methods) to (die|end it|kill)",
            r"\b(jump|jumping|throw myself|throwing myself) (off|from|in front of)",
            # "going to walk into the sea tonight", "thinking of driving into a wall"
            r"\b(going to|want to|wanted to|thinking (about|of)|plan(ning)? to|will|might|urges? to|tempted"
            r" to|about to) (just )?(walk|walking|step|stepping|run|running|drive|driving|swim|swimming)"
            r" (\w+ ){0,2}(into|in front of|off|out into) (the |a |an |my )?(sea|ocean|river|lake|traffic|train"
            r"|bus|truck|wall|tree|cliff|bridge|tracks)\b",
            r"\b(worth more|better off) (to (them|my family|everyone) )?dead\b|\blife insurance\b[^.?]{0,40}"
            r"\b(would|will|could) (help|pay|do more|be worth|take care)",
            r"\bslit (my|his|her) (wrists?|throat)|\bnoose\b",
            r"\b(suicide|goodbye) (note|letter)",
        ),
    ),
    _Cue(
        "method",
        Emergency.SELF_HARM,
        re.compile(
            r"\b(razor|razors|blade|blades)\b.{0,200}\b(cut|slit|wrists?|bath|deep|vein)|\b(cut|slit)\w*"
            r"\b.{0,60}\b(wrists?|veins?|upwards|deep)\b",
            re.S,
        ),
        whole_text=True,
    ),
    _Cue(
        "take_them_all",
        Emergency.SELF_HARM,
        _any(
            r"\b(thinking|thought|think|want|wanted|going|planning|plan|tempted|urges?|ready|might"
            r"|could just|considering) (\w+ ){0,3}(take|taking|swallow|swallowing|overdose on|od on"
            r"|down|downing) (\w+ ){0,2}(all|every|whole|entire|bottle|handful|bunch|lot) (of )?(my |the"
            r" |these |those |his |her |them)?(\w+ )?(" + _PILLS + r"|them|bottle)\b",
            r"(?<!can i )(?<!should i )(?<!do i )(?<!to )\b(take|taking|swallow|swallowing) all (of )?"
            r"(my|the|these|those|his|her) (\w+ )?("
            + _PILLS
            + r") (at once|tonight|and (die|end|sleep"
            r"|not|never))",
            # not "can she take them all together": the order of a day's doses
            r"\b(take|taking|swallow|swallowing|down) them all\b"
            r"(?! (together|at the same time|in one go with|with (food|breakfast|lunch|dinner|water)))",
            r"\b(saved|saving|stockpil\w*|hoard\w*|collected|collecting) (up )?(\w+ ){0,2}("
            + _PILLS
            + r")",
        ),
    ),
    _Cue(
        "hopelessness",
        Emergency.SELF_HARM,
        _any(
            r"\b(hate|hating|hated) (my (whole )?life|your life|this life|living|being alive|my existence"
            r"|myself)\b",
            r"\b(no|nothing|not anything) (left )?(to live for|worth living for)",
            r"\b(no|not see a|not see any|see no|cannot see a|cannot see any|cannot find a|lost my|lost"
            r" the) (reason|point|purpose|will) (to|in|of|for) (live|living|go on|going on|life|being"
            r" alive|being here|anymore|keep going|carry on)",
            r"\bno point (anymore|in anything|to anything)",
            r"\blife (is|isnt|is not|feels|seems) (not )?(worth|pointless|meaningless|hopeless|over"
            r"|unbearable)",
            r"\b(not|isnt|is not) worth (living|it anymore|being alive)",
            r"\b(i am|i feel|feeling|i felt|feel|makes me feel) (so |really |very |just |completely"
            r" |totally |such |like |utterly |absolutely |fucking )*(worthless|hopeless|a burden"
            r"|a waste of (space|life))",
            r"\b(cannot|could not|can no longer) (go on|keep going|do this anymore|do it anymore"
            r"|take (it|this|much more|any more|anymore)( anymore)?|live like this|handle (it|this|life)"
            r" anymore|cope anymore|carry on|bear it|keep living)",
            r"\b(give|giving|gave|given) up on (life|living|everything|myself)",
            r"\btired of (living|life|being alive|existing|everything|it all|being here)",
            r"\b(afraid|scared|too afraid|too scared) (to|of) (die|dying)\b",
            r"\bnobody (would|will|d) (miss|care|notice)|\bno one (would|will|d) (miss|care|notice)",
            r"\b(want|need) (it|everything|the pain|this|it all) to (end|stop) (forever|for good"
            r"|permanently)",
            r"\b(i am|i feel) (so )?done with (life|living|everything|it all)",
            r"\bhow (to|do you|do i|can i) (live|go on|keep going) (if|when|with)\b",
        ),
    ),
    _Cue(
        "farewell",
        Emergency.SELF_HARM,
        _any(
            r"\b(this is|saying|say) (my )?(goodbye|farewell)",
            r"\b(will not|wont|not going to) be (here|around|alive) (tomorrow|much longer|anymore"
            r"|for long|next)",
            r"\bby the time (you|anyone|someone|somebody) (read|reads|see|sees|find|finds) this",
            r"\b(tonight|today)\b[^.]{0,30}\b(i will|i am going to|going to|gonna) do it\b",
            r"\b(i will|i am going to|going to|gonna|might|may|could|plan to|planning to|about to)"
            r" (finally |actually |really )?do it (tonight|today|now|soon|this time|this weekend)",
            r"\bmy (last|final) (night|day|hours?) (alive|on earth|on this earth)",
        ),
    ),
    _Cue(
        "says_emergency",
        Emergency.GENERAL,
        _any(
            r"\b(this is an|its an|it is an|having an|medical|real) emergency\b",
            r"\bcall (911|an ambulance)|\bhelp emergency\b|\bemergency help\b",
            r"\b(need|get|send|calling) (an |the )?(ambulance|paramedics)",
        ),
    ),
    # Read across sentences: "tonight. I will do it".
    _Cue(
        "resolve_at_the_end",
        Emergency.SELF_HARM,
        _any(
            r"\b(tonight|today|this is it|i am ready|goodbye)\W{0,3}\s*(i will|i am going to|going to"
            r"|gonna|ill) (finally )?do it\b",
            r"\b(i will|i am going to|gonna) (finally )?do it\W*$",
        ),
        whole_text=True,
    ),
    # ------------------------------------------------------------------ poisoning
    _Cue(
        "ingested_too_much",
        Emergency.POISONING,
        _any(
            rf"\b({_INGESTED})\b[^.?!]{{0,60}}?(\b({_EXCESS})|\b({_SUBSTANCE}))",
            rf"\b({_INGESTED}) (\w+ ){{0,2}}?{_BIG_NUMBER}",
            rf"\b(after|from|since) taking (\w+ ){{0,2}}?{_BIG_NUMBER}",
            # "took a bottle of aspirin"
            r"\b(took|taken|swallowed|downed|popped) (a|an|the|my|his|her|their|one) (whole |entire |full"
            r" |half (a )?)?(bottle|pack|packet|box|jar) of (?!(water|juice|soda|pop|coke|milk|beer|wine"
            r"|tea|coffee)\b)",
            r"\bon (\d{2,}) (hits|tabs|pills|tablets|doses)\b",
            # "i am currently on 4 brownies": a quantity taken so far tonight, not a daily regimen
            r"\b(currently|right now|i am|am|im) (now )?on (\d+|two|three|four|five|six|seven|eight|nine"
            r"|ten|a lot of|way too many|so many) (\w+ )?(brownies|edibles|gummies|tabs|hits|lines|drops"
            r"|doses|pills|tablets)\b(?! (a|per|each|every) (day|night|week|morning)|,? (daily|twice))",
        ),
        topical=True,
        past_cancels=True,
    ),
    # Someone took something and the writer asks what to do now.
    _Cue(
        "ingested_and_worried",
        Emergency.POISONING,
        re.compile(
            rf"\b({_INGESTED}|takes|has taken|got into|into my)\b.{{0,200}}\b(what (should|do|can|to) (i|we)"
            r"|what do (i|we) do|will (i|he|she|they|it|my \w+) be (ok|okay|alright|all right|fine)"
            r"|(am i|is he|is she|are they) going to (be ok|be okay|be alright|be fine|die)|should (i|we)"
            r" (go to|call|take (him|her|them) to) (the )?(er|hospital|911|poison|emergency)"
            r"|(is|was) (that|it|this) (too much|an overdose|overdose|toxic|deadly|fatal|lethal)"
            r"|will (i|he|she|they) die)",
            re.S,
        ),
        whole_text=True,
    ),
    # "is it dangerous that i just took 4000 mg": the worry asked first, of something just taken.
    _Cue(
        "worried_then_ingested",
        Emergency.POISONING,
        re.compile(
            r"\b(is it|is that|is this|will it be|could it be|am i in) (dangerous|bad|too much|an overdose"
            r"|deadly|fatal|toxic|lethal|danger)\b[^?]{0,40}\b(i|he|she|we|they|my \w+) just (took|swallowed"
            r"|ate|drank|had|took in)\b"
        ),
        whole_text=True,
    ),
    _Cue(
        "ingested_by_mistake",
        Emergency.POISONING,
        re.compile(
            r"\b(accident(al)?ly|by mistake|mistakenly|wrongly)\b[^.?!]{0,30}\b(took|taken|swallowed"
            r"|gave|given|ate|drank|double|injected|used|overdosed|had)\b"
        ),
        topical=True,
        past_cancels=True,
    ),
    _Cue(
        "child_or_pet_ingestion",
        Emergency.POISONING,
        re.compile(
            rf"\b({_CHILD}|{_PET})\b[^.?!]{{0,50}}?\b(ate|eaten|swallowed|swallow|drank|drunk|got into"
            r"|gotten into|get into|chewed|chewing|licked|ingested|bit into|put (some|a|one|it)\b[^.]{0,20}"
            r"in (his|her|their|its) mouth|found (my|the|his|her|their) (" + _PILLS + r"))"
        ),
        topical=True,
        past_cancels=True,
    ),
    _Cue(
        "gave_too_much",
        Emergency.POISONING,
        re.compile(
            r"\b(gave|given|give|giving)\b[^.?!]{0,40}\b(too much|too many|double|twice(?! a day| daily"
            r"| per day| a week)|the wrong"
            r"|an adult|adult (dose|medicine|tylenol)|extra dose|another dose|two doses)"
        ),
        topical=True,
        past_cancels=True,
    ),
    _Cue(
        "overdose_event",
        Emergency.POISONING,
        _any(
            rf"\b(i|he|she|we|they|someone|somebody|{_CHILD}|{_PET}|{_OTHER}) (\w+ ){{0,3}}?(overdosed"
            r"|overdosing|od)\b",
            r"\b(took|taken|taking|had|having|has had|just had|from|after|survived) (a|an|another) (\w+ )?"
            r"overdose\b",
            r"(?<!not )(?<!never )(?<!to )\boverdos(ed|ing) on\b|\b(possible|accidental|an accidental)"
            r" overdose\b|\boverdose (now|right now|help)\b|^overdose\b",
            r"\bpoison(ed|ing)\b|\bpoison (control|help|center|centre)\b",
            r"\bempty (pill |medicine |medication |tablet |prescription )(bottle|packet|box)",
            r"\bempty bottle (of|next to|beside|by)\b",
            r"\b(forgot|forgetting|did not remember|not remembering) (that )?(i|he|she|we) (had )?"
            r"already (taken|took|had|given|gave)\b",
            r"\bdouble[- ]?dos(ed|ing)\b|\b(took|taken|had|gave|given) (a |him a |her a )?double\b",
        ),
        topical=True,
        past_cancels=True,
    ),
    # Breathed in or splashed: fumes, sprays, gases, a chemical in the eyes.
    _Cue(
        "inhaled_or_splashed",
        Emergency.POISONING,
        _any(
            r"\b(inhaled|inhaling|breathed in|breathing in|huffed|huffing|sniffed|exposed to|exposure"
            r" to|got a whiff of)\b[^.?!]{0,40}\b(fumes|spray|gas|chemicals?|bleach|ammonia|chlorine"
            r"|carbon monoxide|vapou?rs?|aerosol|cleaner|solvent|isopropanol|pesticide|insecticide)",
            r"\bcarbon monoxide\b|\bco (detector|alarm) (went off|is going off|beeping)",
            rf"\b(got|splashed|sprayed|squirted|spilled)\b[^.?!]{{0,40}}\b(in|into) (my|his|her|their"
            rf"|the) eyes?\b[^.?!]{{0,40}}|\b({_SUBSTANCE})\b[^.?!]{{0,30}}\b(in|into) (my|his|her|their)"
            r" eyes?\b",
        ),
        topical=True,
        past_cancels=True,
    ),
    # ------------------------------------------------------------------ medical
    _Cue(
        "breathing",
        Emergency.MEDICAL,
        _any(
            r"\b(cannot|not able to|unable to|struggl\w* to|hard to|trouble|difficult(y)?|problems?"
            r"|hard time|fighting to|gasping to|barely) (\w+ )?breath\w*",
            r"\bshort breaths\b|\b(cannot|can not|could not) catch (my|his|her|their) breath\b",
            r"\bshort(ness)? of breath|\bgasp\w* for (air|breath)|\bshallow breath\w*",
            r"\b(not|stopped|is not|isnt|wasnt|was not) breathing",
            r"\b(lips|face|skin|fingers|he|she|"
            + _CHILD
            + r") (are |is |turning |turned |going |gone "
            r"|look |looks )+(blue|grey|gray|purple)",
            r"\b(throat|airway) [^.]{0,20}\b(closing|closed|tight|blocked)",
            r"\binhaler (is not|isnt|not|did not|does not|is no) (working|helping|help)",
            r"\bwheez\w* (really |so |very )?(bad|badly|hard|a lot)",
            r"\bchoking\b",
            r"\b(feel\w*|felt) like (i am |he is |she is |i was )?drowning\b",
            r"\bcough\w* up (fluid|froth|foam|pink)",
            r"\bbreath\w*\b[^.]{0,50}\b(difficult\w*|hard|trouble|cannot|struggl\w*) (even )?(in |to )?"
            r"(speak|speaking|talk|talking|finish\w* (a |my |his |her )?sentences?)\b",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "swelling",
        Emergency.MEDICAL,
        _any(
            r"\b(throat|tongue|lips?|face|mouth|eyes?|eyelids?|cheeks?) (is |are |feels |feel |got |gets"
            r" |getting |has |have |started |starting |keeps |began |seems |seem |went |all )*(\w+ )?"
            r"(swell\w*|swollen|puff\w*|closing|huge|tight)",
            r"\bswell\w* (of|in|on|around) (my |his |her |the |their )?(throat|tongue|lips?|face|mouth"
            r"|eyes)",
            r"\banaphyla\w*",
            r"\b(severe|bad|serious|strong|major) allergic reaction",
            r"\bswollen shut\b",
            r"\b(hives|rash) (all over|everywhere)\b[^.]{0,40}\b(breath|swell|throat|dizzy)",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "epinephrine_pen",
        Emergency.MEDICAL,
        re.compile(r"\bepi ?pens?\b"),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "chest",
        Emergency.MEDICAL,
        _any(
            r"\bchest (pain|pains|tightness|pressure|hurts|is hurting|hurting|is tight|feels tight"
            r"|discomfort|is killing)",
            r"\bpain (in|on) (my |his |her |the )?chest",
            r"\bheart attack",
            r"\b(stabbing|crushing|squeezing|sharp) (pain|pains) (in|on|near|around) (my |his |her |the )?"
            r"(heart|chest)\b",
            r"\bheart (stopped|is stopping)",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "seizure",
        Emergency.MEDICAL,
        _any(
            r"\b(having|had|has had|just had|went into|is having|started having|having another|have had"
            r"|suffered|suffering) (a |another |what looks like a |like a |some sort of |some kind of |some"
            r" )?(\w+ )?(seizure|fit|convulsion)\b",
            r"\bseizing\b|\bconvuls(ed|ing)\b|\bfitting\b|\bseizure (right )?now\b",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "consciousness",
        Emergency.MEDICAL,
        _any(
            r"\bunconscious|\bunresponsive|\bcollaps(e|ed|ing)\b|\blost consciousness",
            r"\b(will not|cannot|not|did not|does not|could not|wont) (wake|waking|woke)( up| him| her"
            r"| them)?\b",
            r"\b(i think|feels? like|like) (i am|he is|she is) dying\b",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "faintness",
        Emergency.MEDICAL,
        _any(
            r"\bpass(ed|ing)? out\b|\bblack(ed|ing) out\b|\bfaint(ed|ing)\b",
            r"\b(about to|going to|might|feel|feeling) faint\b",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "bleeding",
        Emergency.MEDICAL,
        _any(
            r"\b(vomit\w*|throw\w* up|threw up|puk\w*|cough\w*( up)?|spit\w*( up)?) (some |a lot of"
            r" |lots of |bright red |dark )?blood",
            r"\bblood (in|when) (my |his |her )?(vomit|i vomit|i cough|he coughs|she coughs)",
            r"\bbleed\w* (a lot|heavily|badly|profusely|everywhere|nonstop|will not stop|that will not"
            r" stop|for (an hour|hours)|so much)",
            r"\b(cannot|will not) stop (the )?bleeding|\b(heavy|severe|uncontrolled) (\w+ )?bleeding",
            r"\b(a lot of|lots of|so much|too much|pool of|loads of) blood\b",
            # where bleeding is never ordinary: "his ear is bleeding after the fall"
            r"\b(penis|testicles?|scrotum|eyes?|eyeballs?|ears?|head)\b (is |are |keeps |kept |started |has"
            r" been |have been |began |still )*bleeding\b",
            r"\b(bleed\w*|blood (is )?(coming|pouring|gushing|dripping|running)) (from|out of) (my |his |her"
            r" |their |the )?(penis|testicles?|eyes?|ears?|head)\b",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "stroke",
        Emergency.MEDICAL,
        _any(
            r"(?<!heat )(?<!brush )\bstroke\b(?! (volume|of luck|rate))",
            r"\b(numb\w*|weak\w*|paralys\w*|tingl\w*|dead)\b[^.]{0,40}\b(one side|left side|right side"
            r"|left arm|right arm|left leg|right leg|half of (my|his|her) (body|face))",
            r"\b(face|mouth|smile) (is |are |was |started |seems )?droop\w*",
            r"\bslurr\w*",
            r"\b(cannot) (move|feel|lift|raise) (my|his|her) (arm|leg|face|side)",
            r"\b(words|speech) (are |is )?(coming out )?(wrong|jumbled|garbled|slurred|gibberish)",
            r"\b(went|gone|going|goes|suddenly|sudden) numb\b",
            r"\bworst headache of (my|his|her) life",
            r"\bsudden(ly)? (cannot see|blind|lost (my |his |her )?vision)",
            r"\b(sudden(ly)?|woke( up)? with|waking up with|out of nowhere)\b[^.]{0,20}\b(double"
            r" vision|lost (my |his |her )?(sight|vision)|vision loss|loss of vision)",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "acute_condition",
        Emergency.MEDICAL,
        _any(
            # dehydration: nothing stays down, no urine for hours
            r"\b(cannot|can not|could not|unable to) keep (any |even )?(water|anything|fluids|liquids)"
            r" down\b",
            r"\b(has not|have not|not|had not) (peed|urinated|gone to the bathroom|had a wet diaper)\b"
            r"[^.]{0,20}\b(in|for) (\d+|several|many) hours\b",
            r"\btoxic shock|\bsepsis\b|\bseptic\b|\bmeningitis\b|\banaphylactic shock",
            r"\b(cracked|hit|banged|bashed|smashed|split) (my |his |her |their )?head\b",
            r"\b(heart rate|pulse|hr)\b[^.]{0,15}\b(1[3-9]\d|2\d\d)\b|\b(1[4-9]\d|2\d\d) ?bpm\b",
            # a blood sugar far out of range: "her sugar is 38", "glucose over 500"
            r"\b(blood sugar|blood glucose|glucose|sugar|bg|bs) (level |meter |monitor |reading )?"
            r"(is |was |at |of |reading |reads "
            r"|just |now |over |under |below |above |down to |up to |dropped to |fell to |went (up |down )?to "
            r"|spiked to |hit |reached )*([1-4]\d|[5-9]\d\d)\b(?![.,]\d)"
            r"(?! ?(years?|days?|weeks?|months?|hours?|minutes?|mins?|%|percent|lbs?|pounds|kg|times)\b)",
            # an erection that will not go down, a twisted testicle: hours decide
            r"\bpriapism|\b(painful|persistent|prolonged) erections?\b|\berections?\b[^.]{0,30}\b(will not"
            r"|does not|did not|is not|wont) go (away|down)|\berections?\b[^.]{0,20}\b(for|lasting|lasted"
            r"|over|more than) (\d+|two|three|four|five|six|several) (hours|hrs)",
            r"\b(sudden|severe|excruciating|intense|unbearable|extreme)\b[^.]{0,20}\bpain\b[^.]{0,10}"
            r"\b(testic\w*|testes|balls?|scrotum)|\btesticular torsion|\b(twisted|swollen) (testic\w*"
            r"|scrotum)",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
    _Cue(
        "skin_blistering",
        Emergency.MEDICAL,
        _any(
            r"\b(rash|skin)\b[^.]{0,40}\bblister\w*",
            r"\bblister\w*\b[^.]{0,20}\b(rash|skin|mouth|eyes)",
            r"\bskin (is )?(peeling|coming) off\b",
        ),
        topical=True,
        negatable=True,
        past_cancels=True,
    ),
]

# Despair said in many ways at once: one such word is a mood, several are a crisis that 988 is for.
_DISTRESS_MARKERS = [
    re.compile(p)
    for p in (
        r"\bhopeless",
        r"\bworthless",
        r"\b(pathetic|piece of shit|a failure|disgusting|hate myself)\b",
        r"\b(so|really|very|completely|totally|all) alone\b|\bno one (cares|understands|to talk)"
        r"|\bnobody (cares|understands|knows)",
        r"\b(crying|sobbing|cry myself)\b",
        r"\b(ashamed|shame|humiliat\w*)\b",
        r"\b(depress\w*|despair\w*)\b",
        r"\b(it is|its|life is|everything is) over\b|\bgame over\b",
        r"\b(i do not|i dont) know what (else )?(to do|i will do|i am going to do)\b",
        r"\b(cannot|can no longer) (take|handle|cope|deal|bear)\b",
        r"\b(empty|numb) inside\b",
        r"\b(exhausted|drained|broken|lost everything|nothing left|falling apart|spiral\w*)\b",
        r"\b(scared|terrified|afraid)\b",
        r"\b(hurt|hurting|pain) (so|too) much\b|\bso hurt\b",
        r"\b(homeless|kicked out|thrown out|fired|evicted|dumped|left me|abused)\b",
        r"\b(give up|giving up|gave up)\b",
        r"\b(trapped|stuck|no escape|no future|no hope)\b",
    )
]
DISTRESS_THRESHOLD = 4

_WHOLE_TEXT_CUES = [cue for cue in _CUES if cue.whole_text]
_SENTENCE_CUES = [cue for cue in _CUES if not cue.whole_text]

# A sentence about a person, or asking for help now: topical cues count there.
_PERSONAL = re.compile(
    rf"\b(i|me|my|mine|myself|we|us|our|he|she|him|her|his|someone|somebody|{_CHILD}|{_PET}"
    rf"|{_OTHER})\b|\b(help|now|right now|asap|urgent|emergency|hospital|er|911|ambulance"
    r"|what (do|should|can|to) (i |we )?do|scared|panicking|freaking out)\b"
)
# A sentence that names a topic rather than an event.
_TOPIC_FRAME = re.compile(
    r"^(what|whats|how|hows|can|could|does|do|is|are|will|would|should|why|which|when|at what"
    r"|any|risks?|signs?|symptoms?|effects?|dangers?)\b|\b(risks?|causes?|cause|side effects?"
    r"|warnings?|symptoms of|signs of|after[- ]?effects|effects of|what happens|is it possible"
    r"|treatment (for|of)|can (you|one|a person|people|someone))\b"
)
# "does sertraline cause suicidal thoughts?": a question about a label's warning.
_WARNING_FRAME = re.compile(
    r"\b(cause|causes|causing|increase|increases|raise|raises|risk|risks|warning|warnings|side"
    r" effects?|linked|associated|black box|boxed|lead to|leads to|make you|makes you|make people"
    r"|makes people|effects? (of|on)|impact|statistics|rates?|prevention|awareness|survivors"
    r"|bereave\w*)\b"
)
# "taking propranolol for the chest pains": the symptom names what a medicine treats.
_TREATED = re.compile(
    r"\b(for|treat\w*|anti-?|ant-|prevent\w*|control\w*|manag\w*|history of)"
    r" (the |my |his |her |their |of )?(\w+ )?$"
)
# "what will they do at the er for my chest pain": emergency care for it, not a treatment taken.
_EMERGENCY_CARE = re.compile(r"\b(er|emergency room|emergency|hospital|911|ambulance|a and e)\b")
_NEGATED = re.compile(
    r"\b(no|not|never|without|denies|deny|nor|neither|free of|no more|any)\b"
    r"[\w ]{0,12}$"
)
_IN_THE_PAST = re.compile(
    r"\b((\d+|a|one|two|three|four|five|few|several|many|couple of|a couple of) )?(years?|months?|yrs?)"
    r" (ago|back)\b|\bbefore (\d+|a|one|two|three|four|five|six|few|several) (years?|months?)\b"
    r"|\blast (year|month|summer|winter|spring|fall|autumn)\b|\bhistory of\b|\bin the past\b"
    r"|\bwhen i was (a |younger|little|\d+|\w+teen\b|ten\b|eleven\b|twelve\b|in (school|college))"
    r"|\bused to\b|\bprevious(ly)?\b|\bonce had\b"
    r"|\b(have been|been|was|am) (fine|okay|ok|stable|well|free of (them|it)|\w+[- ]free) (for|since|ever)\b"
    r"|\bas a (child|kid|teen|teenager)\b|\bin (19|20)\d\d\b"
)


# Words of an emergency topic: without an emergency, a message using them asks about the topic.
_TOPIC_WORDS = re.compile(
    r"overdos|\bpoison|\blethal|\bfatal|\btoxic|anaphyla|seizure|suicid"
    r"|\bstroke\b|\bheart attack"
)


@dataclass(frozen=True)
class EmergencyAssessment:
    """What a message says about an emergency.

    ``kinds``: the emergencies it describes, in the order their answers are given; empty if none.
    ``topic``: it asks about an emergency topic without one happening (an overdose's risks): such
    a message gets label facts or a pharmacist, never a service FAQ.
    ``cues``: names of the cues that decided, for reports and tests.
    """

    kinds: tuple[Emergency, ...] = ()
    topic: bool = False
    cues: tuple[str, ...] = ()

    @property
    def kind(self) -> Emergency | None:
        return self.kinds[0] if self.kinds else None

    @property
    def is_emergency(self) -> bool:
        return bool(self.kinds)


# Said of the present: a story told in the past with one of these is still happening.
_NOW = re.compile(
    r"\b(now|right now|today|tonight|this morning|this evening|just|currently|still"
    r"|hours? ago|minutes? ago|an hour ago|yesterday|last night)\b"
)


# A complaint that has gone on for weeks or longer, or comes and goes: not an emergency by itself.
_LONG_STANDING = re.compile(
    r"\b(for|since|over|in) (the )?(past |last )?((\d+|\d+-\d+|a|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|few|several|many|couple of|a couple of) )?(weeks|months?|years?|yrs)\b"
    r"|\bfor (a|one|two|three|four|five|six|seven|\d+) weeks?\b|\bsince (childhood|birth|i was|he was"
    r"|she was|last (year|month|summer|winter)|(19|20)\d\d|january|february|march|april|may|june"
    r"|july|august|september|october|november|december)\b|\bchronic\b|\bon and off\b"
    r"|\b(every time|everytime|whenever|occasionally|sometimes|often|always|usually|recurring"
    r"|keeps? (coming|happening)|from time to time|again and again)\b"
)


def is_long_standing(text: str) -> bool:
    """Whether ``text`` tells of a complaint of weeks or longer, or one that comes and goes, with
    nothing said of today ("my knee has ached for months", "i get dizzy every time i stand")."""
    normalised = normalise(text[:MAX_CHARS_READ])
    return bool(_LONG_STANDING.search(normalised)) and not _NOW.search(normalised)


# "what happens if a child swallows a battery?": a hypothetical about anyone, not an event.
_HYPOTHETICAL = re.compile(
    r"\b(what happens|what would happen|what if|what (should|do|can) (you|one|people|parents) do"
    r"|what to do|how do you (know|tell|treat)|is it (dangerous|bad|fatal|deadly)|how dangerous is it)"
    r"( if| when)? (a|an|any|your|someone|somebody|a person|people|kids|children|you|one|dogs|cats"
    r"|pets)\b"
)
_OWN = re.compile(r"\b(i|me|my|mine|we|us|our|he|she|his|her|him)\b")
# The asker's own words around a general question: "asking so i know", "i was wondering".
_ASKER = re.compile(
    r"\b(so i (know|can be ready|am prepared)|i (was |am )?(just )?(wonder\w*|asking"
    r"|curious)|i (would like|want|wanted) to know|i ask)\b"
)


def _about_no_one_of_ones_own(sentence: str) -> bool:
    return not _OWN.search(_ASKER.sub(" ", sentence))


def is_hypothetical(text: str) -> bool:
    """A question about what would happen to anyone ("what happens if a child swallows a
    battery?"), with no one of the writer's own in it."""
    normalised = normalise(text[:MAX_CHARS_READ])
    return bool(_HYPOTHETICAL.search(normalised)) and _about_no_one_of_ones_own(normalised)


def _counts(cue: _Cue, sentence: str, match: re.Match[str], told_in_the_past: bool) -> bool:
    if cue.topical and not _PERSONAL.search(sentence) and _TOPIC_FRAME.search(sentence):
        return False
    if cue.topical and _HYPOTHETICAL.search(sentence) and _about_no_one_of_ones_own(sentence):
        return False
    if cue.warning_topic and not _PERSONAL.search(sentence) and _WARNING_FRAME.search(sentence):
        return False
    before = sentence[: match.start()]
    if cue.negatable and _NEGATED.search(before):
        return False
    if cue.negatable and _TREATED.search(before) and not _EMERGENCY_CARE.search(sentence):
        return False
    # Tried on 2026-12-03 and taken back: a sentence of weeks or of a symptom that comes and goes,
    # "weeks ago", "family history" and "i doubt" as cancelling. Free on the development part,
    # they missed 2 more of 73 held-out symptom emergencies for 0.1% fewer false alarms.
    return not (cue.past_cancels and (told_in_the_past or _IN_THE_PAST.search(sentence)))


def assess_emergency(text: str | None) -> EmergencyAssessment:
    """Whether ``text`` describes an emergency now, and of which kinds."""
    if not text or not text.strip():
        return EmergencyAssessment()
    found: list[Emergency] = []
    fired: list[str] = []
    topic = False
    normalised = normalise(text[:MAX_CHARS_READ])
    for cue in _WHOLE_TEXT_CUES:
        if cue.pattern.search(normalised):
            fired.append(cue.name)
            found.append(cue.kind)
    if sum(1 for marker in _DISTRESS_MARKERS if marker.search(normalised)) >= DISTRESS_THRESHOLD:
        fired.append("distress")
        found.append(Emergency.SELF_HARM)
    told_in_the_past = bool(_IN_THE_PAST.search(normalised)) and not _NOW.search(normalised)
    for sentence in sentences(normalised):
        for cue in _SENTENCE_CUES:
            match = cue.pattern.search(sentence)
            if match is None:
                continue
            if _counts(cue, sentence, match, told_in_the_past):
                fired.append(cue.name)
                if cue.kind not in found:
                    found.append(cue.kind)
            else:
                topic = True
    kinds = tuple(kind for kind in _PRIORITY if kind in found)
    topic = topic or bool(_TOPIC_WORDS.search(normalised))
    return EmergencyAssessment(
        kinds=kinds, topic=topic and not kinds, cues=tuple(dict.fromkeys(fired))
    )


def detect_emergency(text: str | None) -> Emergency | None:
    """The main kind of emergency ``text`` describes, or None."""
    return assess_emergency(text).kind

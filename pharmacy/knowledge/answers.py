"""Label-level answers about one medicine, and the questions that must go to a pharmacist.

The assistant may state what the product label says (what a medicine is for, its common side
effects, how it is usually taken, missed doses, storage, warnings), always with the label it
comes from and a disclaimer. Anything that needs clinical judgement about this person goes to a
pharmacist instead (pharmacy rules, section 4): callers check ``pharmacist_only_reason`` first.

Every sentence lives in ``TEMPLATES`` so that a second language is a second table.
"""

from __future__ import annotations

import re
from enum import Enum
from re import Pattern

from pharmacy.knowledge.loader import Medicine


class Aspect(Enum):
    USED_FOR = "used_for"
    SIDE_EFFECTS = "side_effects"
    HOW_TO_TAKE = "how_to_take"
    MISSED_DOSE = "missed_dose"
    STORAGE = "storage"
    WARNINGS = "warnings"
    BRAND_GENERIC = "brand_generic"
    ALCOHOL = "alcohol"
    FOOD = "food"
    DRIVING = "driving"
    CHILDREN = "children"
    OVERVIEW = "overview"


# Aspects read from an optional knowledge-base field of the same name; a medicine without the field
# gets an honest "my label facts don't cover that" and a pharmacist (see ``has_answer``).
OPTIONAL_ASPECTS = (Aspect.ALCOHOL, Aspect.FOOD, Aspect.DRIVING, Aspect.CHILDREN)


TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "used_for": "What {name} is used for: {used_for}",
        "side_effects": "Common side effects of {name}: {common}\nSerious side effects: {urgent}",
        "how_to_take": "How {name} is usually taken: {how_to_take}\n{follow_directions}",
        "follow_directions.rx": "Always follow the directions on your prescription label.",
        "follow_directions.otc": "Always follow the Drug Facts label on the package.",
        "missed_dose": "If you miss a dose of {name}: {missed_dose}",
        "storage": "How to store {name}: {storage}",
        "warnings": "Important warnings for {name}: {warnings}",
        "brand_generic": "{Generic} is the generic name. Brand names: {brands}. {availability}",
        "brand_generic.no_brands": "{Generic} is the generic name; we have no brand names on "
        "record for it. {availability}",
        "alcohol": "{Name} and alcohol: {text}",
        "food": "{Name} and food: {text}",
        "driving": "{Name} and driving: {text}",
        "children": "{Name} and children: {text}\nA child's dose depends on the child's age and "
        "weight: our pharmacist can work it out with you.",
        "beyond_label": "That is what the label says about {name}. It may not answer your "
        "question, so I'm passing it to our pharmacist.",
        "aspect_missing": "The label facts I have for {name} don't cover {topic}, so I'm passing "
        "your question to our pharmacist.",
        "aspect_missing.alcohol": "alcohol",
        "aspect_missing.food": "taking it with food",
        "aspect_missing.driving": "driving",
        "aspect_missing.children": "children",
        "overview": "{Name}: {drug_class}. {availability}\nWhat it is used for: {used_for}\n"
        "You can ask me about its side effects, how to take it, a missed dose, storage or "
        "warnings.",
        "availability.rx": "It needs a prescription.",
        "availability.otc": "It is sold over the counter, without a prescription.",
        "controlled": "{Name} is a Schedule {schedule} controlled substance. For any question "
        "beyond what the label says, please talk to our pharmacist.",
        "source": "Source: FDA product label (set id {set_id}, effective {effective_date}); "
        "last reviewed {last_reviewed}.",
        # Entries whose SPL set id was not confirmed carry an openFDA search reference instead.
        "source.lookup": "Source: FDA product label (openFDA reference {reference}, effective "
        "{effective_date}); last reviewed {last_reviewed}.",
        "disclaimer": "This is general information from the product label, not medical advice. "
        "For urgent symptoms, call 911. A pharmacist is available if you have questions.",
        "unknown_medicine": "I don't have information on {name}, so I'm passing your "
        "question to our pharmacist.",
        "unknown_medicine.unnamed": "I don't have information on that medicine, so I'm "
        "passing your question to our pharmacist.",
        "pharmacist_only": "That question needs a pharmacist, because the answer depends on you "
        "and your other medicines ({topic}). I'm passing it to our pharmacist now.",
        "pharmacist_only.dose_change": "changing a dose",
        "pharmacist_only.combination": "taking medicines together",
        "pharmacist_only.pregnancy": "pregnancy or breast-feeding",
        "pharmacist_only.stopping": "stopping or tapering a medicine",
        "pharmacist_only.substitution": "switching or substituting a medicine",
        "pharmacist_only.personal_side_effect": "a side effect you are having",
        "pharmacist_only.controlled_substance": "a controlled substance",
        "pharmacist_only.health_question": "a question about your health",
        "pharmacist_only.someone_else": "someone else's health",
        "pharmacist_only.pediatric_dose": "a child's dose",
        "compare.heading": "{first} vs {second}:",
        "compare.same_class": "Both are {drug_class}.",
        "compare.classes": "{First} is {first_class}; {second} is {second_class}.",
        "compare.used_for": "{Name} is used for: {used_for}",
        "compare.availability": "{Name}: {availability}",
        "compare.availability.rx": "needs a prescription",
        "compare.availability.otc": "sold over the counter",
        "compare.controlled": "{Name} is a Schedule {schedule} controlled substance.",
        "compare.better": "Which one is better for you depends on your health and your other "
        "medicines: our pharmacist can help you decide.",
        "compare.more": "Ask me about either one's side effects, how to take it or warnings.",
    }
}

_LOOKUP_PREFIX = "openfda:"
_MAX_ECHOED_NAME = 60  # an unknown "name" is shopper text: echo a bounded piece of it


def _text(key: str, language: str, **values: object) -> str:
    return TEMPLATES[language][key].format(**values)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name_with_brands(medicine: Medicine) -> str:
    """ "atorvastatin (Lipitor)"; at most three brands, the label's first ones."""
    if not medicine.brand_names:
        return medicine.display_name
    return f"{medicine.display_name} ({', '.join(medicine.brand_names[:3])})"


def answer(medicine: Medicine, aspect: Aspect, language: str = "en") -> str:
    """The label's answer about ``aspect``, then the source line and the disclaimer."""
    name = medicine.display_name
    availability = _text(f"availability.{medicine.rx_status}", language)
    if aspect is Aspect.USED_FOR:
        body = _text("used_for", language, name=name, used_for=medicine.used_for)
    elif aspect is Aspect.SIDE_EFFECTS:
        body = _text(
            "side_effects",
            language,
            name=name,
            common=medicine.common_side_effects,
            urgent=medicine.urgent_side_effects,
        )
    elif aspect is Aspect.HOW_TO_TAKE:
        body = _text(
            "how_to_take",
            language,
            name=name,
            how_to_take=medicine.how_to_take,
            follow_directions=_text(f"follow_directions.{medicine.rx_status}", language),
        )
    elif aspect is Aspect.MISSED_DOSE:
        body = _text("missed_dose", language, name=name, missed_dose=medicine.missed_dose)
    elif aspect is Aspect.STORAGE:
        body = _text("storage", language, name=name, storage=medicine.storage)
    elif aspect is Aspect.WARNINGS:
        body = _text("warnings", language, name=name, warnings=medicine.warnings)
    elif aspect is Aspect.BRAND_GENERIC:
        key = "brand_generic" if medicine.brand_names else "brand_generic.no_brands"
        body = _text(
            key,
            language,
            Generic=_capitalised(name),
            brands=", ".join(medicine.brand_names),
            availability=availability,
        )
    elif aspect in OPTIONAL_ASPECTS:
        text = getattr(medicine, aspect.value)
        if not text:
            return aspect_missing_text(medicine, aspect, language)
        body = _text(aspect.value, language, Name=_capitalised(name), text=text)
    elif aspect is Aspect.OVERVIEW:
        body = _text(
            "overview",
            language,
            Name=_capitalised(_name_with_brands(medicine)),
            drug_class=medicine.drug_class,
            availability=availability,
            used_for=medicine.used_for,
        )
    else:  # pragma: no cover - a new Aspect without an answer is a programming error
        raise ValueError(f"no answer for {aspect!r}")

    parts = [body]
    if medicine.is_controlled:
        parts.append(
            _text("controlled", language, Name=_capitalised(name), schedule=medicine.dea_schedule)
        )
    parts.append(source_line(medicine, language))
    parts.append(_text("disclaimer", language))
    return "\n\n".join(parts)


def has_answer(medicine: Medicine, aspect: Aspect) -> bool:
    """Whether the knowledge base holds ``medicine``'s answer about ``aspect``."""
    return aspect not in OPTIONAL_ASPECTS or bool(getattr(medicine, aspect.value))


def aspect_missing_text(medicine: Medicine, aspect: Aspect, language: str = "en") -> str:
    """ "The label facts I have for X don't cover alcohol": said before a pharmacist joins."""
    topic = _text(f"aspect_missing.{aspect.value}", language)
    return _text("aspect_missing", language, name=medicine.display_name, topic=topic)


def beyond_label_text(medicine: Medicine, language: str = "en") -> str:
    """Said after the overview when ``asks_beyond_the_label``, before a pharmacist joins."""
    return _text("beyond_label", language, name=medicine.display_name)


def source_line(medicine: Medicine, language: str = "en") -> str:
    """ "Source: FDA product label (set id ..., effective ...); last reviewed ..." """
    label = medicine.label
    dates = {
        "effective_date": label.effective_date.isoformat(),
        "last_reviewed": medicine.last_reviewed.isoformat(),
    }
    if label.set_id.startswith(_LOOKUP_PREFIX):
        reference = label.set_id[len(_LOOKUP_PREFIX) :]
        return _text("source.lookup", language, reference=reference, **dates)
    return _text("source", language, set_id=label.set_id, **dates)


def unknown_medicine_text(name: str | None, language: str = "en") -> str:
    """An honest "I don't have information on X", with the offer of a pharmacist."""
    shown = " ".join((name or "").split())[:_MAX_ECHOED_NAME].strip()
    if not shown:
        return _text("unknown_medicine.unnamed", language)
    return _text("unknown_medicine", language, name=shown)


def pharmacist_only_text(reason: str, language: str = "en") -> str:
    """What the shopper is told when ``pharmacist_only_reason`` gave ``reason``."""
    return _text("pharmacist_only", language, topic=_text(f"pharmacist_only.{reason}", language))


# ----------------------------------------------------------------------------- aspects


def _any_of(*alternatives: str) -> Pattern[str]:
    """One case-insensitive pattern matching any of ``alternatives``."""
    return re.compile("|".join(f"(?:{alternative})" for alternative in alternatives), re.I)


# What a label lists as a side effect, in a shopper's words.
_SYMPTOMS_WORDS = (
    r"weight (gain|loss)|gain weight|lose weight|nause\w*|cough\w*|drows\w*|sleepy|dizz\w*"
    r"|headaches?|constipat\w*|diarrh\w*|rash\w*|hair loss|insomnia|swell\w*|upset"
    r"|dry mouth|tired|fatigue|sweat\w*|itch\w*|bruis\w*|anxi\w*|heartburn"
)


# First match wins, so the order settles overlaps: "I forgot to take it with food" is about a
# missed dose, "can I take it with grapefruit juice" is a warning, not how to take it.
_ASPECT_RULES: list[tuple[Aspect, Pattern[str]]] = [
    (
        Aspect.MISSED_DOSE,
        _any_of(
            r"\bmiss(ed|ing)?\b.{0,20}\b(dose|pill|tablet|one|it|day)s?\b",
            r"\bforg(o|e)t(ten)?\b",
            r"\bskipped\b|\bskip (a|my|it|one|the|today)\b|\bmissed my\b",
            r"\blate dose\b",
        ),
    ),
    (
        Aspect.SIDE_EFFECTS,
        _any_of(
            r"\bside[\s-]?effects?\b",
            r"\badverse\b",
            r"\breactions?\b",
            r"\bmake (me|you|people) (feel )?(sleepy|drowsy|dizzy|tired|sick|nause)",
            # "does lexapro cause weight gain", "is it normal to have a cough on lisinopril"
            rf"\b(cause|causes|give you|make you|makes you|make your)\b.{{0,30}}\b({_SYMPTOMS_WORDS})",
            rf"\bis it normal to (have|get|feel)\b.{{0,30}}\b({_SYMPTOMS_WORDS})",
            r"\b(does|do|can|will) (it|this|they|[\w-]+) (\w+ )?(upset|irritate)\b",
            rf"\b({_SYMPTOMS_WORDS})\b.{{0,20}}\b(from|on)\b|\bside[\s-]?affects?\b",
            r"\bhow long (does|do|will) (it|they|this|that|the \w+) last\b",
        ),
    ),
    (
        Aspect.CHILDREN,
        _any_of(
            r"\b(kids?|child|children|childrens|childs|baby|babies|toddlers?|infants?|son|daughter"
            r"|teens?|teenagers?|pediatric|paediatric)\b",
            r"\bunder (the age of )?\d+\b|\b\d+ ?(year|yr)s?[ -]?olds?\b",
        ),
    ),
    (
        Aspect.ALCOHOL,
        _any_of(
            r"\balcohol\w*|\bbeers?\b|\bwine\b|\bbooze\b|\bliquor\b|\bvodka\b|\bwhiske?y\b",
            r"\bdrinks?\b(?!\s+(it|water|plenty|lots|enough|fluids))|\bdrinking\b(?!\s+water)",
            r"\b(get|getting) drunk\b|\bhangover\b|\ba glass of\b(?!\s+(water|milk))",
        ),
    ),
    (
        Aspect.DRIVING,
        _any_of(
            r"\bdriv(e|es|ing)\b(?![\s-]*(thru|through|up))",  # not the drive-through
            r"\b(operate|operating|use|using) (heavy )?machinery\b|\bbehind the wheel\b",
        ),
    ),
    (
        Aspect.FOOD,
        _any_of(
            r"\bwith (or without )?(food|a meal|meals?|snacks?)\b|\bempty stomach\b",
            r"\b(before|after|during) (eating|meals?|food|breakfast|lunch|dinner)\b",
            r"\bon (a )?full stomach\b|\beat (first|before)\b|\bfoods? to avoid\b",
        ),
    ),
    (
        Aspect.STORAGE,
        _any_of(
            r"\bstorage\b",
            r"\bstor(e|ed|ing) (it|them|this|my|the|your|insulin|pens?)\b",  # not "in store"
            r"\b(how|where) (do|should|can|to) (i |you )?(store|keep)\b",
            r"\bfridge\b|\brefrigerat|\bfreez|\broom temperature\b|\bhot car\b",
            r"\bexpir(e|es|ed|ation)\b",
        ),
    ),
    (
        Aspect.BRAND_GENERIC,
        _any_of(
            r"\bgeneric\b|\bbrand\b",
            r"\bsame (thing|as|drug|medicine)\b",
            r"\b(other|another) name\b|\balso called\b",
        ),
    ),
    (
        Aspect.WARNINGS,
        _any_of(
            r"\bgrapefruit\b",
            r"\bwarnings?\b|\bprecautions?\b|\bdangerous\b|\brisks?\b",
            r"\bsun(light|burn)?\b",
            r"\binteract",
        ),
    ),
    (
        Aspect.HOW_TO_TAKE,
        _any_of(
            r"\bhow (do|should|can|to|would) (i |you |we )?(take|use|give)\b",
            r"\bwith (milk|water)\b|\b(before|after) bed\b",
            r"\b(crush|chew|split|cut|swallow|dissolve)\b",
            r"\bwhat time\b|\bhow often\b|\bmorning or (night|evening)\b|\bat night\b",
            # onset and the label's daily maximum
            r"\bhow (long|fast|quickly|soon)\b.{0,40}\b(work|works|kick in|take effect|start)",
            r"\b(max|maximum|most)\b.{0,20}\b(amount|dose|dosage|per day|a day|in a day)\b",
            r"\bopen (the |my |\w+ )?capsules?\b",
        ),
    ),
    (
        Aspect.USED_FOR,
        _any_of(
            r"\bwhat('?s| is| does)? (it|this|that|\w+) (for|treat|do)\b",
            r"\bwhat (is|are) (it|they|this|these|\w+) (used )?for\b",
            r"\bused? for\b|\btreats?\b|\bpurpose\b|\bindications?\b",
            r"\bwhy (do|would) i\b",
        ),
    ),
    (
        Aspect.OVERVIEW,
        _any_of(
            r"\btell me about\b|\bexplain\b",
            r"\b(info|information|details)\b",
            r"\bwhat (is|are)\b|\bwhat kind of\b|\bwhat do you know about\b",
            # "is gabapentin a narcotic", "is xanax addictive", "what class of drug is losartan"
            r"\b(is|are) [\w-]+ (an? )?(steroids?|narcotics?|opioids?|opiates?|antibiotics?"
            r"|nsaids?|stimulants?|controlled|addictive|habit[\s-]forming|benzos?|benzodiazepines?"
            r"|blood thinners?|antidepressants?|statins?)\b",
            r"\b(what|which) (drug )?class\b|\bclass of (drug|medicine)\b",
        ),
    ),
]


# A question about a medicine that names none of the label's topics ("could I be allergic to
# the ingredients in X?") is answered with the overview, which does not answer it: a pharmacist
# does. "Tell me about X", "X 20 mg tablets" and a bare name leave fewer words than this once
# the medicine's names, strengths and forms are taken out.
MIN_WORDS_BEYOND_LABEL = 3
_NOT_QUESTION_WORDS = re.compile(
    r"\b(\d+(\.\d+)?|mg|mcg|ml|tablets?|capsules?|pills?|caps|tabs|oral|solution|syrup|cream"
    r"|er|xr|sr|dr|please|pls|thanks|thank you|hi|hello|hey|the|a|an|and|or|vs|versus)\b"
)


def asks_beyond_the_label(text: str, names: list[str]) -> bool:
    """Whether ``text``, naming the medicines whose mentions are ``names``, asks something no
    aspect of the label covers (then the overview is given and a pharmacist answers)."""
    if detect_aspect(text) is not None:
        return False
    rest = " ".join((text or "").lower().split())
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name.lower(), " ")
    rest = _NOT_QUESTION_WORDS.sub(" ", re.sub(r"[^\w\s.]", " ", rest))
    return len(rest.split()) >= MIN_WORDS_BEYOND_LABEL


def detect_aspect(text: str) -> Aspect | None:
    """Which label topic ``text`` asks about, or None if it names none."""
    for aspect, pattern in _ASPECT_RULES:
        if pattern.search(text or ""):
            return aspect
    return None


# ----------------------------------------------------------------------------- pharmacist only

# What one takes a medicine "with" that the label itself covers (food, drinks), and what is not a
# medicine at all ("take it with me on the plane"): neither makes a combination question.
_LABEL_COMPANIONS = (
    r"food|meals?|snacks?|breakfast|lunch|dinner|supper|water|milk|juice|applesauce|pudding"
    r"|coffee|tea|caffeine|alcohol|beer|wine|drinks?|grapefruit|dairy|or without"
    r"|me|you|us|him|her|my (bag|luggage|purse|car)|a (full )?glass"
)
# Order and account words: "stop my order" or "switch to pickup" are not clinical questions.
_LOGISTICS = (
    r"orders?|deliver(y|ies)|shipping|shipments?|subscriptions?|auto[\s-]?refills?|automatic"
    r"|reminders?|notifications?|messages?|texts?|emails?|calls?|payments?|cards?|accounts?"
    r"|address|pick[\s-]?up|mail|courier|pharmacy|store|language|english|spanish|chinese"
    r"|plans?|insurance|90[\s-]day|ninety|supply"
)
_SYMPTOMS = (
    r"dizz|nause|sick(?! of)|rash|itch|headache|pain|hurt|ache|tired(?! of)|exhaust|swell|swollen"
    r"|cough|diarrh|vomit|throw(ing)? up|bleed|bruis|sleepy|drowsy|anxious|jittery|weird|strange"
    r"|palpitat|racing|pounding|cramp|blurr|shak|trembl|constipat|insomnia|can't sleep"
    r"|hair loss|weight gain|side effects?"
)
_ME = r"\b(i|i'm|im|i've|ive|i am|i have|i keep|me|my)\b"

# Checked in this order; the first reason that matches is given.
_PHARMACIST_RULES: list[tuple[str, Pattern[str]]] = [
    (
        "pregnancy",
        _any_of(
            r"\bpregnan|\blactat|\bexpecting a baby\b|\btrying to (conceive|get pregnant)\b",
            r"\bbreast[\s-]?(feed|fed|milk)|\bnursing\b(?! home)",
        ),
    ),
    (
        "stopping",
        _any_of(
            r"\b(can|could|should|may|do) i (just |safely )?(stop|quit|discontinue)\b"
            r"(?!\s+(by|in|at|over|here|there"  # "stop by the store", "stop my order"
            rf"|((my|the|your|all|getting|receiving) )?({_LOGISTICS}))\b)",
            r"\b(stop|quit|stopping|quitting) (taking|using)\b|\bcold turkey\b",
            r"\b(come|coming|get|getting|go|going) off\b"
            r"(?!\s+(work|shift|duty|early|late|at|the (phone|bus|train|plane|list|call))\b)",
            r"\btaper|\bwean(ing)? (off|myself|me)\b",
        ),
    ),
    (
        "dose_change",
        _any_of(
            r"\b(increas|decreas|rais|lower|reduc|chang|adjust|up|upp|doubl|halv|cut)(e|ed|es|ing|s)?"
            r" (my |the |your |his |her |this |that )?(dose|dosage|mg|milligrams?)\b",
            r"\bdouble (up|my|the dose|dose|it)\b",  # not "double charged"
            r"\b(take|taking) (two|2|three|3|four|4|an extra|extra|another one|more than|more of"
            r"|half|less|a higher|a lower|a bigger|a smaller)\b"
            r"(?! (different|kinds?|types?|medicines|medications|meds|prescriptions)\b)",
            r"\b(higher|lower|bigger|smaller|stronger|weaker) (dose|dosage|strength)\b",
            r"\bhow (much|many)\b(?! refills).{0,30}\b(can|should|could) i (take|use)\b",
            # "lower my prednisone dose myself", "go up from 50 to 100 of sertraline"
            r"\b(increas|decreas|rais|lower|reduc|chang|adjust|doubl|halv|cut)(e|ed|es|ing|s)?"
            r" (my |the |his |her )?[\w-]+ (dose|dosage)\b",
            r"\b(go|going|went|bump|step) (up|down) from \d+ ?(mg|mcg)? to \d+\b(?! ?days?)",
            r"\bfrom \d+ ?(mg|mcg) to \d+|\bfrom \d+ to \d+ ?(mg|mcg)\b",
            r"\b(dose|dosage)\b.{0,30}\b(on my own|myself)\b",
        ),
    ),
    (
        "substitution",
        _any_of(
            rf"\bswitch(ed|ing)? (from|to|over|between)\b(?!\s+((a|the|my) )?({_LOGISTICS})\b)",
            rf"\binstead of\b(?!\s+((a|the|my) )?({_LOGISTICS})\b)",
            r"\bsubstitut|\bin place of\b",
            r"\breplace (it|this|that|my \w+|\w+) with\b|\bswap (it|this|that|\w+) (for|with)\b",
        ),
    ),
    (
        "combination",
        _any_of(
            r"\b(take|taking|took|on)\b[\w\s'-]{0,40}\b(together|at the same time)\b",
            r"\b(take|taking|took) (them |these |those |the )?both\b",
            r"\b(mix|mixing|combine|combining)\b(?!\s+up\b)"
            rf"(?![\w\s'-]{{0,30}}\b({_LABEL_COMPANIONS}|{_LOGISTICS})\b)",
            r"\b(take|taking|took)\b[\w\s'-]{0,40}\b(with|alongside|plus)\b"
            rf"(?!\s+((a little|some|my|the|a|an) )?({_LABEL_COMPANIONS})\b)",
            r"\bwhile (on|taking|using)\b"
            r"(?!\s+((the|a|my) )?(app|website|site|vacation|holiday|trip|phone)\b)",
            r"\binteract(s|ion|ions)? with\b"
            rf"(?!\s+((a little|some|my|the|a|an) )?({_LABEL_COMPANIONS})\b)",
        ),
    ),
    # A symptom of the shopper's own tied to a medicine, or a worry about one; a general
    # "what are the side effects" is label information.
    (
        "personal_side_effect",
        _any_of(
            r"\bshould i (be )?(worr|concern)|\bserious for me\b",
            rf"{_ME}.{{0,40}}\b({_SYMPTOMS}).{{0,40}}"
            r"\b(since|after|on (it|this|them|that|my)|from (it|this|the|my)|taking|started|starting"
            r"|began|because of|caus)",
            rf"\b(makes|making|made) me\b.{{0,20}}\b({_SYMPTOMS})",
            rf"\b(since|after) (i )?(start|began|begin|switch)\w*\b.{{0,40}}\b({_SYMPTOMS})",
        ),
    ),
]


def pharmacist_only_reason(text: str) -> str | None:
    """The reason ``text`` needs a pharmacist's judgement, or None if the label can answer it.

    Reasons: "pregnancy", "stopping", "dose_change", "substitution", "combination",
    "personal_side_effect". Emergencies are not judged here: they pre-empt everything upstream.
    """
    cleaned = " ".join((text or "").lower().replace("\u2019", "'").split())
    for reason, pattern in _PHARMACIST_RULES:
        if pattern.search(cleaned):
            return reason
    return None


PHARMACIST_ONLY_REASONS = tuple(reason for reason, _ in _PHARMACIST_RULES)

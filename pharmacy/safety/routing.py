"""The reply policy: which intent the assistant acts on, given the classifier's guess.

A trained classifier's guess differs from one training to the next, so it decides only where a
wrong guess is harmless. These rules hold whatever it guessed:
- an emergency (``pharmacy.safety.assess_message``) is answered as one, and only then (the classifier's own
  "emergency" guess without a cue becomes a clinical question for a pharmacist, not a 911 answer);
- a clinical, distressed or emergency-topic message never gets a service FAQ, small talk or the
  fallback: it becomes a medicine question, which gets label facts or a pharmacist;
- a FAQ answer needs a confident pick of its topic; otherwise one clarifying question.
"""

from __future__ import annotations

import re

from pharmacy.knowledge.answers import pharmacist_only_reason
from pharmacy.knowledge.drug_names import looks_like_medicine_name
from pharmacy.safety.emergency import EmergencyAssessment, assess_emergency
from pharmacy.safety.text import normalise

EMERGENCY = "emergency"
MEDICINE_QUESTION = "ask_medicine_info"
CLARIFY = "nlu_fallback"
FAQ = "faq"
# Intents whose answer says nothing clinical: a clinical message read as one of them is misread.
SERVICE_INTENTS = frozenset(
    {
        FAQ,
        "out_of_scope",
        CLARIFY,
        "greet",
        "goodbye",
        "thank",
        "help",
        "bot_challenge",
        "track_order",
        "report_delivery_problem",
        "rate",  # "my 6 year old has a fever of 102" has numbers in it, like a rating
    }
)
DELIVERY_INTENTS = frozenset({"track_order", "report_delivery_problem"})
# Short answers in a form; "should I stop taking it?" read as one of them is a clinical question.
ANSWER_INTENTS = frozenset({"stop", "deny", "affirm", "inform", "change_answer"})
# Below this the FAQ selector's pick of a topic is a guess. Its confidences are calibrated: the
# held-out FAQs of tests/nlu_test.yml get 0.90 and up, real messages of other skills that it
# still takes for a FAQ ("I want to check my deliveries" as how-to-track, dev set) about 0.7.
MIN_FAQ_CONFIDENCE = 0.8
# A message this long that the emergency classifier's regression finds unlikely to be service or
# everyday talk is a clinical question whatever its words (short FAQs are too terse to read so).
# Chosen so that no long FAQ example of ours (training or test) is turned away, while 138 of the
# 153 ordinary medical questions of the development evaluation would be.
MIN_WORDS_TO_READ_TOPIC = 12
SERVICE_CLASSES = ("safe_service", "safe_everyday")
MIN_SERVICE_PROBABILITY = 0.15

# Symptoms, conditions, feelings and clinical questions: words a service FAQ never answers.
_CLINICAL = re.compile(
    r"\b(symptoms?|side[ -]?effects?|dos(e|es|age|ing)|overdos\w*|withdrawal|interact\w*|allerg\w*"
    r"|reaction|pound\w*|throb\w*|hurts|hurting|sore"
    r"|pain(ful)?\b(?! (meds|medicines?|medications?|pills|killers?|relievers?))"
    r"|ache|aches|aching|headaches?|migraines?|fever|nause\w*|vomit\w*|diarrh\w*"
    r"|constipat\w*|rash\w*|itch\w*|hives|swell\w*|swollen|cough\w*|dizz\w*|faint\w*|bleed\w*"
    r"|bruis\w*|infect\w*|depress\w*|anxi\w*|panic"
    r"|insomnia|sleep\w*|tired|fatigue|cramp\w*|numb(ness)?|tingl\w*|palpitat\w*|heart"
    r"|chest|breath\w*|pregnan\w*|breast[ -]?feed\w*|contracepti\w*|birth control"
    r"|sick(?! of)|illness|disease|diagnos\w*|safe (to take|to use|to give|to drink|for (kids"
    r"|children|my|a|pregnan\w*|babies|dogs|cats)|with|during|while)"
    r"|(give|giving) (it |this |them )?to (my )?(kids?|child|baby|son|daughter|toddler|infant)"
    r"|alcohol|drunk|drink|suicid\w*|self[ -]?harm|hopeless|worthless"
    r"|crying|lonely|stress\w*|mental|addict\w*|hallucinat\w*|seizure\w*"
    r"|stroke|cancer|tumou?r|infection|uti|std|hiv|herpes|acne|eczema|psoriasis|arthritis|gout"
    r"|ulcer|reflux|heartburn|kidney|liver|stomach|bowel|bladder|urin\w*|skin"
    r"|vision|throat|tongue|lips?|mouth|teeth|tooth|gums?"
    r"|scrapes?|grazes?|wounds?|blisters?|sunburn\w*|scars?|(bug|insect|tick|spider|dog) bites?"
    r"|(bee|wasp) stings?|cuts and scrapes)\b"
)


# Conditions, body parts, tests and health topics that the list above does not name. Medical
# word endings ("-itis", "-osis", "-ectomy") cover most conditions and operations; the rest are
# named. Words of the service's own answers (doctors sending prescriptions, vaccines, health
# data, refills of "my blood pressure pills") do not count.
_CONDITIONS = re.compile(
    r"\b(\w{3,}(itis|osis|oses|emia|aemia|omas?|pathy|algia|ectomy|plasty|scopy|otomy|ostomy|iasis"
    r"|trophy|plegia)"
    r"|syndromes?|disorders?|deficien\w*|medical (condition|issues?|problems?)"
    r"|thyroid|cholesterol|colesterol|blood (pressure|sugar|thinners?|clots?|vessels?|veins?|tests?|work"
    r"|cells?|levels?|counts?)|b/p|hypertension|diabet\w*|asthma\w*|copd|pneumonia|pnuemonia"
    r"|measles|mumps|chicken ?pox|shingles|hepatitis|chlamydia|gonorrh\w*|syphilis|hpv|thrush"
    r"|candida|yeast infection|scabies|lice|chiggers?|warts?|cysts?|lumps?|bumps?|moles?|polyps?"
    r"|hernia\w*|fractur\w*|sprain\w*|injur\w*|concussion|surgery|surgical"
    r"|implants?|transplant|stents?|pacemaker|chemo\w*|radiation therapy|dialysis|biopsy|bx"
    r"|ecg|ekg|mri|ct scan|cat ?scan|x-?rays?|ultrasound|colonoscop\w*|mammogram"
    r"|erections?|erectile|ejaculat\w*|masturbat\w*|genital\w*|vagina\w*|vulva|labia|penis"
    r"|testic\w*|scrotum|prostate|ovar(y|ies|ian)|uterus|cervi(x|cal)|sex drive|libido"
    r"|unprotected sex|intercourse|(my|her|last|missed|late|heavy|first) periods?|menstrua\w*"
    r"|menopaus\w*|spotting|discharge|fertility|infertil\w*|conceiv\w*|fetus|miscarr\w*"
    r"|stillbirth|trimester|ovulat\w*"
    r"|brain|lungs?|bones?|joints|joint (pain|swelling|stiffness)|muscles?|tendons?|ligaments?"
    r"|spine|spinal|nerves?|veins?|arter(y|ies)|pelvi[cs]|hips?|knees?|shoulders?|elbows?|wrists?"
    r"|ankles?|feet|foot|toes?|fingers?|arms?|legs?|neck|back pain|eyes?(?! on)|ears?|nose|nasal"
    r"|sinus\w*|gland\w*|lymph|hair loss|bald\w*|scalp|nails?|sweating|sweats|sweaty|odou?r"
    r"|stool|poop|bowels?|gas(?! (station|bill|prices?|stove))|gassy|bloat\w*|belly|abdom\w*"
    r"|colic|immune|virus\w*|viral|bacteri\w*|fung(al|us|i)|contag\w*"
    r"|vitamins? [a-k]\d*|supplements?|probiotics?|nutrition|malnutrition|calori\w*|diet\w*"
    r"|weight (loss|gain)|lose weight|gain weight|belly fat|obes\w*|overweight"
    r"|dementia|alzheimer\w*|parkinson\w*|adhd|autis\w*|bipolar|schizo\w*|ocd|ptsd"
    r"|phobias?|bulimi\w*|anorexi\w*|eating disorder|psychiatr\w*|therap(y|ist)"
    r"|tremors?|murmur|arrhythmi\w*|fibrillat\w*|cardiac|pulse|heart rate|oxygen|high temp"
    r"|smok\w*|vap(e|ing)|nicotine|caffeine|marijuana|cannabis|cbd"
    r"|treat(s|ed|ing|ment|ments)?|cure[ds]?|remed(y|ies)|healing|heals|healed"
    r"|recovery|recover(ing)? from|prognosis|life expectancy|contraindicat\w*|hereditary|genetic)\b"
    r"(?! (pills?|meds?|medications?|medicines?|tablets?|prescriptions?|refills?|supplies|strips"
    r"|shots?|vaccines?|vaccinations?|jabs?|boosters?|immuni[sz]ations?))"
)


# "A generic instead of the brand" is the service's substitution policy, a FAQ.
_GENERIC_POLICY = re.compile(r"\b(generics?|brand)\b")


def looks_clinical(
    text: str, emergency: EmergencyAssessment | None = None, by_meaning: bool = True
) -> bool:
    """Whether ``text`` asks something about health, a body or feelings, rather than the service.
    ``emergency``: the text's assessment, when the caller has it already. ``by_meaning``: when no
    word gives it away, let the meaning decide (``reads_as_health_question``)."""
    normalised = normalise(text)
    reason = pharmacist_only_reason(text)
    if reason == "substitution" and _GENERIC_POLICY.search(normalised):
        reason = None
    if (emergency or assess_emergency(text)).topic or reason:
        return True
    if _CLINICAL.search(normalised) or _CONDITIONS.search(normalised):
        return True
    return by_meaning and reads_as_health_question(text)


# Example classes of the emergency classifier that describe a body's complaints (urgent or not).
HEALTH_CLASSES = ("safe_symptom", "medical")
# "my knee catches when i walk", "nodule found in my remaining lung": no word list names every body
# part, condition and test, so a message of at least MIN_WORDS_TO_READ_HEALTH words that the
# classifier finds clearly about a complaint is a health question. Chosen on the second
# development part of the evaluation: 25 of its 41 ordinary health questions that no word marked
# reach it, and of our service and small-talk examples only a delivery problem's (which
# ``choose_intent`` reads by its words alone).
MIN_WORDS_TO_READ_HEALTH = 7
MIN_HEALTH_PROBABILITY = 0.65


def reads_as_health_question(text: str) -> bool:
    """Whether the meaning of ``text`` is a complaint about someone's body or health."""
    if len(text.split()) < MIN_WORDS_TO_READ_HEALTH:
        return False
    from pharmacy.safety.semantic import default_semantic_check  # the encoder loads on first use

    check = default_semantic_check()
    return (
        check is not None and check.probability_of(text, HEALTH_CLASSES) >= MIN_HEALTH_PROBABILITY
    )


_ILLICIT = re.compile(
    r"\b(cocaine|coke|crack|mdma|molly|ecstasy|lsd|acid|shrooms|psilocybin|mushrooms|heroin|meth"
    r"|methamphetamine|ketamine|dxm|kratom|weed|marijuana|cannabis|thc|edibles?|poppers|ghb|benzos"
    r"|xans|percs|lean|opiates|opioids|amphetamines?|speed|nbome|2c-b|dmt|mescaline)\b"
)
_SOMEONE = re.compile(
    r"\b(my|our|his|her) (\w+ )?(son|daughter|child|kid|baby|toddler|mother|mom|mum|father|dad"
    r"|husband|wife|partner|grandma|grandpa|grandmother|grandfather|friend|boyfriend|girlfriend"
    r"|sister|brother|stepmother|stepfather|grandson|granddaughter|so|fiance|spouse|patient)\b"
    r"|\b\d+ ?(year|yr|month)s?[ -]?old\b"
)
# The writer's own health, a dose of their own, a prescriber's decision about them.
_OWN_HEALTH = re.compile(
    r"\b(i have|i have been|i had|i feel|i felt|i get|i got|i keep|i am having|i am getting"
    r"|i suffer|i was diagnosed|i am diagnosed|i noticed|i started|i began|i developed|i am (\w+ )?"
    r"(pregnant|diabetic|allergic|bipolar|depressed|anxious|epileptic|asthmatic|sick))\b"
    r"|\bmy (doctor|dr|gp|psychiatrist|physician|dermatologist|cardiologist|nurse|prescriber)\b"
    r"|\bi (am|was|have been) on\b|(?<!do )(?<!should )(?<!can )(?<!could )(?<!to )(?<!would )"
    r"\bi (take|am taking|have been taking|have taken|took|started taking|stopped taking)\b"
    r"|\b(put|started|switched) me on\b|\b(going|go) back on\b"
    r"|\bi (currently |now |still |also |already )?(have to|need to|must|am supposed to) (take|use)\b"
    r"|\bper (my |the )?(dr|doctor|physician|prescriber)\b"
    r"|\b\d*(\.\d+)? ?(mg|mgs|mcg|ml|milligrams?|units|iu)\b"
)
_MEDICINE_WORDS = re.compile(
    r"\b(medicines?|medications?|meds|drugs?|pills?|tablets?|capsules?|prescri\w*|taking|takes"
    r"|dose|doses|syrup|supplements?|vitamins?|multi-?vitamins?|iu|injections?|vaccin\w*"
    r"|immuni[sz]\w*|otc|antibiotics?|antifungals?|creams?|ointments?|drops|inhalers?|patch(es)?"
    r"|(flu|tetanus|covid|allergy|b12|steroid|cortisone) shots?|boosters?)\b"
)
# A child's dose is worked out from the child's age and weight: always a pharmacist.
_CHILD = re.compile(
    r"\b(kids?|child|childs|children|childrens|baby|babies|toddlers?|infants?|son|daughter|teens?|pediatric"
    r"|paediatric)\b|\b\d+ ?(year|yr|month)s?[ -]?olds?\b|\b\d+ ?(yo|y/o|yrs? old|years? old)\b"
)
# Which medicine, whether it is safe, how to give it: for a child, a question of judgement.
_CHILD_JUDGEMENT = re.compile(
    r"\b(recommend\w*|best|which|give|giving|gave|mix\w*|what (\w+ )?(is|should|can"
    r"|do|would))\b"
)
# "is there something my daughter can take for tummy aches": choosing a child's medicine.
_SOMETHING_TO_GIVE = re.compile(
    r"\b(something|anything|what) ([\w-]+ ){0,5}(can|could|should|do i|to) (\w+ )?(take|have|give|use)\b"
)
_DOSE_WORDS = re.compile(
    r"\bhow (much|many)\b|\b(dose|doses|dosage|dosing)\b|\b\d*(\.\d+)? ?(mg|mgs|ml|mls|tsp"
    r"|teaspoons?|milligrams?)\b|\bhow often\b"
)
LONG_QUESTION_WORDS = 40  # a story this long is about a person, not a label
# Just after a birth: pregnancy's rules still apply (pharmacy rules, section 4).
_POSTPARTUM = re.compile(
    r"\b(new (mother|mom|mum|mommy)|post ?partum|after (giving birth|delivery|the birth|my c-?section)"
    r"|just (had|gave birth to) (a|my|our) (baby|son|daughter)|newborn)\b"
)
# A decision about one's own treatment: whether to start, go back on or keep taking something.
_TREATMENT_DECISION = re.compile(
    r"\b(should|can|could|do) (i|we|he|she) (start|begin|try|go (back )?on|keep (taking|using)"
    r"|continue (taking|using|with)|be (on|taking))\b"
)
# "ephedrine + fish oil + 5htp = safe?": substances joined by "+" or "&" asked about together.
_JOINED = re.compile(r"\w[\w-]* ?[+&] ?\w")
_SAFETY_WORDS = re.compile(
    r"\b(safe|ok|okay|alright|dangerous|risky|bad|interact\w*|together"
    r"|combo|stack|mix\w*)\b|\?|="
)
# "thinking of stopping my lamotrigine": coming off a medicine of one's own.
_STOPPING_OWN = re.compile(
    r"\b(stop|stopping|quit|quitting|come off|coming off|go off|going off|get off|getting off"
    r"|wean off|weaning off|drop|dropping) (of )?(my|the|this|his|her|our) (?P<what>[\w-]+)"
)
_SUBSTANCE_ENDING = re.compile(r"(ine|ol|in|ide|ate|pam|lam|one|il|ium|htp|oil)$")
# A forum title's own history without "I": "had a clot, taking xarelto", "on lithium for years".
_HISTORY_CLAUSE = re.compile(
    r"(^|[,;:(]\s*|\band\s+|\bnow\s+)(taking|been taking|started taking|stopped taking|started"
    r"|stopped|on) (\w+ )?(\w+)(?<!\bthe)(?<!\ba)\b(?! (hand|way|time|phone|line|website|app)\b)"
)


# Asking for another medicine in place of one: "a cheaper alternative to X", "something besides
# X", "what else can i take", "what could my husband take for his neuropathy".
_OTHER_MEDICINE = re.compile(
    r"\b(alternatives?|besides|other than|cheaper|replacement for|something else (for|than|to)"
    r"|another (medicine|medication|drug|pill|tablet|option|treatment))\b"
    r"|\bwhat (else )?(can|could|should|would|to) (i |we |he |she |they |my \w+ )?(take|use|give|try)\b"
    r"|\b(is|are) there (an? |any )?(otc |over the counter |prescription |natural |good )?(medicine"
    r"|medication|drug|pill|tablet|remedy|treatment)s? (to|that|for)\b"
    r"|\bcan (an? |the )?(oral |topical )?\w+ (help|work) (for|with)\b|\b(cn|can) (oral|topical) \w+ help\b"
    r"|\bless expensive\b|\bmore affordable\b|\blower[- ]cost\b"
    r"|\b(a )?different (\w+ )?(otc|medicine|medication|drug|pill|cream|treatment|antibiotic|brand of)\b"
    r"|\b(is|are) there (an? |any )?([\w-]+ ){0,3}(medicines?|medications?|drugs?|pills?|tablets?|remed\w*"
    r"|treatments?|vitamins?|multi-?vitamins?|supplements?|antibiotics?|creams?)"
    r" (to|that|for|i can|without|w/out|with|which)\b"
)
# A medicine that did not help, or one the writer may not take: the next choice is a pharmacist's.
_NOT_HELPING = re.compile(
    r"\b(is not|not|stopped|does not|did not|has not|have not|nothing is) (working|helping|work|help"
    r"|helped|worked)\b|\bno relief\b"
    r"|\b(cannot|can not|unable to|not allowed to|am not supposed to|should not|must not) take\b"
    r"|\bany (recommendations|suggestions)\b|\bwhat (do|would) you (recommend|suggest)\b"
)
# A medicine for, or with, a condition of one's own: "ok to take X while having diabetes".
_FOR_A_CONDITION = re.compile(
    r"\bis it (ok|okay|safe|alright|all right|fine|good|wise|bad) (for me |for him |for her |for my \w+ )?"
    r"to (take|use|give|try) [^?]{1,60}\bfor (a |an |my |his |her |the )?\w+"
    r"|\b(take|taking|use|using|drink|drinking|have|give)\b[^?]{0,60}\b(while having|while i have"
    r"|when (you|i|he|she) (have|has)|if (you|i|he|she) (have|has)|with|for (someone|people|a person)"
    r" with)\b[^?]{0,30}\b(diabet\w*|blood pressure|hypertension|kidney|liver|heart|asthma|glaucoma"
    r"|ulcers?|epilep\w*|atrial|afib|thyroid|cancer|hiv|lupus|arthritis|copd|gout|prostate|disease"
    r"|condition|disorder)"
)
# Stopping told as done to the writer: "taken off X cold turkey".
_TAKEN_OFF = re.compile(
    r"\b(taken|took me|take me|been taken|was taken|pulled me) off\b|\bcold turk"
)
# Two medicines asked about together, whatever the punctuation between them ("st. john's wort
# with metformin", "give my son X and Y at the same time", "ok to take X as well").
_TOGETHER = re.compile(
    r"\b(take|taking|took|use|using|give|giving|gave|have)\b[^?]{0,80}\b(with|alongside|plus|together"
    r"|at the same time|as well|on top of)\b"
    r"|\binteractions? (between|of|with)\b|\b(interact|interfere|clash)\b"
    r"|\b(mix|mixed|mixing|combine|combined)\b[^?]{0,40}\b(with|into|in)\b"
    # "can i take X and drink Y"
    r"|\b(take|taking|took|use|using|on)\b[^?]{0,60}\band (drink|drinking|have|eat|eating|smoke"
    r"|smoking|take|taking)\b"
)
_HERBAL = re.compile(
    r"\b(st\.? john'?s wort|ginkgo|ginseng|kava|valerian|turmeric|echinacea|ashwagandha|herbal"
    r"|herbs?|supplements?|fish oil|omega[- ]?3)\b"
)
# "after experiencing 4 serious side effects": side effects someone has, not the label's list.
_SIDE_EFFECTS_HAD = re.compile(
    r"\b(experienc\w*|having|had|getting|got) (\d+ |two |three |four |some |these |those |a few"
    r" |several )?(serious |bad |severe |strong )?side[- ]?effects?\b"
)
# Around an operation a medicine may need stopping: always a pharmacist's call.
_PROCEDURE = re.compile(
    r"\b(surgery|operation|procedure|ablation|colonoscopy|anesthesia|anaesthesia|chemo\w*"
    r"|radiation|radiotherapy|dialysis|transplant)\b"
)


def _names_a_medicine(normalised: str) -> bool:
    if _MEDICINE_WORDS.search(normalised) or any(
        looks_like_medicine_name(word) for word in re.findall(r"[a-z][\w-]{3,}", normalised)
    ):
        return True
    from pharmacy.knowledge import default_recognizer  # the catalogue loads on first use

    return bool(default_recognizer().find(normalised))


def _more_judgement(normalised: str) -> str | None:
    """Pharmacist-only questions said in words the label rules miss (pharmacy rules, section 4)."""
    medicine = _names_a_medicine(normalised)
    if _TAKEN_OFF.search(normalised):
        return "stopping"
    if (
        (medicine and _OTHER_MEDICINE.search(normalised))
        or re.search(r"\b(oral|topical) [\w-]+ (help|work)", normalised)
    ) and not _GENERIC_POLICY.search(normalised):
        return "substitution"
    if medicine and _SIDE_EFFECTS_HAD.search(normalised):
        return "personal_side_effect"
    if _HERBAL.search(normalised) and (
        medicine or _TOGETHER.search(normalised) or re.search(r"\b(with|while on)\b", normalised)
    ):
        return "combination"
    if medicine and _TOGETHER.search(normalised):
        return "combination"
    if _CHILD.search(normalised) and medicine and _CHILD_JUDGEMENT.search(normalised):
        return "pediatric_dose"
    if medicine and _NOT_HELPING.search(normalised):
        return "health_question"
    if _FOR_A_CONDITION.search(normalised):
        return "health_question"
    if medicine and _PROCEDURE.search(normalised):
        return "health_question"
    return None


def _joined_substances(normalised: str) -> bool:
    """ "ephedrine + fish oil = safe?": substances joined by "+" or "&", asked about."""
    if not _JOINED.search(normalised) or not _SAFETY_WORDS.search(normalised):
        return False
    if _MEDICINE_WORDS.search(normalised) or _ILLICIT.search(normalised):
        return True
    operands = re.findall(r"([\w-]+) ?[+&] ?([\w-]+)", normalised)
    return any(
        looks_like_medicine_name(word) or _SUBSTANCE_ENDING.search(word)
        for pair in operands
        for word in pair
    )


def _history_clause(normalised: str) -> bool:
    """A clause like "taking statins" or "on lithium for years", told of the writer's own
    treatment, outside a general question ("what happens when taking X")."""
    match = _HISTORY_CLAUSE.search(normalised)
    return (
        bool(match)
        and not re.match(r"(what|how|why|when|is|are|does|do|can)\b", normalised)
        and bool(
            _CLINICAL.search(normalised)
            or _MEDICINE_WORDS.search(normalised)
            or re.search(
                r"\b(statins?|insulin|lithium|steroids?|antibiotics?|blood thinners?)\b", normalised
            )
        )
    )


def pharmacist_reason(text: str) -> str | None:
    """Why a medicine question goes to a pharmacist rather than the label, or None.

    Beyond the pharmacist-only topics (dose changes, combinations, pregnancy, stopping,
    substitution, a side effect one has), any question about the writer's own health or dose,
    about another person's, or about drugs that are not medicines, and any long story: the label
    answers general questions only."""
    reason = pharmacist_only_reason(text)
    if reason:
        return reason
    normalised = normalise(text)
    if _ILLICIT.search(normalised):
        return "controlled_substance"
    if _POSTPARTUM.search(normalised):
        return "pregnancy"
    stopping = _STOPPING_OWN.search(normalised)
    if stopping and (
        looks_like_medicine_name(stopping.group("what"))
        or _MEDICINE_WORDS.search(stopping.group("what"))
        or _SUBSTANCE_ENDING.search(stopping.group("what"))
    ):
        return "stopping"
    if _joined_substances(normalised):
        return "combination"
    more = _more_judgement(normalised)
    if more:
        return more
    if _CHILD.search(normalised) and (
        _DOSE_WORDS.search(normalised) or _SOMETHING_TO_GIVE.search(normalised)
    ):
        return "pediatric_dose"
    if (
        _OWN_HEALTH.search(normalised)
        or _TREATMENT_DECISION.search(normalised)
        or _history_clause(normalised)
        or len(normalised.split()) > LONG_QUESTION_WORDS
    ):
        return "health_question"
    if _SOMEONE.search(normalised) and (
        _CLINICAL.search(normalised) or _MEDICINE_WORDS.search(normalised)
    ):
        return "someone_else"
    return None


def is_health_question(text: str) -> bool:
    """Whether a message no rule answered (the fallback) is still a health question for a
    pharmacist: it looks clinical, or it names a medicine and asks what only a pharmacist can
    answer ("my medications aren't working, what should I do?")."""
    if looks_clinical(text):
        return True
    return _names_a_medicine(normalise(text)) and pharmacist_reason(text) is not None


def choose_intent(
    text: str | None,
    intent: str | None,
    emergency: EmergencyAssessment,
    faq_confidence: float | None = None,
) -> str | None:
    """The intent to act on instead of the classifier's ``intent``, or None to keep it.

    ``emergency`` is the message's assessment (``pharmacy.safety.assess_message``)."""
    text = text or ""
    if emergency.is_emergency:
        return EMERGENCY
    if intent == EMERGENCY:
        return MEDICINE_QUESTION
    # A delivery problem tells of the parcel's contents ("the pens feel warm"): words decide there.
    by_meaning = intent not in DELIVERY_INTENTS
    if intent in SERVICE_INTENTS and looks_clinical(text, emergency, by_meaning=by_meaning):
        return MEDICINE_QUESTION
    if intent in ANSWER_INTENTS and pharmacist_only_reason(text):
        return MEDICINE_QUESTION
    if intent == CLARIFY and _MEDICINE_WORDS.search(normalise(text)):
        # Unsure what was asked, but it is about a medicine: label facts or a pharmacist.
        return MEDICINE_QUESTION
    if intent == FAQ and not _about_the_service(text):
        return MEDICINE_QUESTION
    if intent == FAQ and faq_confidence is not None and faq_confidence < MIN_FAQ_CONFIDENCE:
        return CLARIFY
    return None


def _about_the_service(text: str) -> bool:
    if len(text.split()) < MIN_WORDS_TO_READ_TOPIC:
        return True
    from pharmacy.safety.semantic import default_semantic_check  # the encoder loads on first use

    check = default_semantic_check()
    return check is None or check.probability_of(text, SERVICE_CLASSES) >= MIN_SERVICE_PROBABILITY

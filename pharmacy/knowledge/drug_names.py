"""Whether a word the shopper typed is plausibly the name of a medicine we have no facts for.

Only such a word may be echoed in "I don't have information on X": echoing any other word ("kill",
"tonight") reads as if the assistant misunderstood, or worse. A word counts when it ends in one of
the stems of the USAN naming scheme (the US Adopted Names Council's published stem list; e.g.
"-pril" ACE inhibitors, "-azole" antifungals) or is one of a few common names without a stem.
"""

from __future__ import annotations

import re

_STEMS = (
    "azole",
    "conazole",
    "mab",
    "tinib",
    "nib",
    "pril",
    "sartan",
    "olol",
    "alol",
    "dipine",
    "statin",
    "cillin",
    "mycin",
    "micin",
    "floxacin",
    "oxacin",
    "cycline",
    "prazole",
    "tidine",
    "setron",
    "triptan",
    "oxetine",
    "pramine",
    "triptyline",
    "azepam",
    "zepam",
    "zolam",
    "barbital",
    "codone",
    "morphone",
    "fentanil",
    "profen",
    "fenac",
    "coxib",
    "sone",
    "olone",
    "onide",
    "parin",
    "xaban",
    "gatran",
    "gliptin",
    "gliflozin",
    "glutide",
    "glinide",
    "formin",
    "terol",
    "tropium",
    "lukast",
    "afil",
    "dronate",
    "semide",
    "thiazide",
    "apine",
    "idone",
    "peridol",
    "tadine",
    "navir",
    "tegravir",
    "ciclovir",
    "vudine",
    "caine",
    "parib",
    "relin",
    "pressin",
    "thromycin",
    "bactam",
    "penem",
    "azine",
    "osin",
    "asteride",
    "gestrel",
    "estradiol",
    "thyroxine",
    "tropin",
    "pitant",
    "perone",
    "tiazem",
    "pamil",
    "oxin",
    "darone",
    "faxine",
    "amide",
    "orphan",
    "trexate",
    "uracil",
    "platin",
    "rubicin",
    "taxel",
    "clone",
    "plon",
    "zodone",
    "ximab",
    "zumab",
    "umab",
    "ipine",
    "tretin",
    "tinoin",
    "gabalin",
    "pentin",
    "etam",
    "amate",
    "triptyline",
    "lamine",
    "pheniramine",
    "fenadine",
    "dryl",
    "epam",
    "opram",
)
# Frequent names without a stem from the list, and substances shoppers ask about by name.
_COMMON = frozenset(
    """
aspirin tylenol advil motrin aleve benadryl claritin zyrtec allegra sudafed mucinex nyquil dayquil
tums pepcid prilosec nexium zantac imodium pepto miralax dulcolax melatonin ibuprofen acetaminophen
paracetamol naproxen insulin heparin warfarin coumadin digoxin lithium methadone morphine codeine
tramadol oxycodone fentanyl heroin cocaine kratom cannabis marijuana cbd thc nicotine caffeine
alcohol ketamine adderall ritalin xanax valium klonopin ativan ambien lexapro zoloft prozac paxil
wellbutrin bupropion trazodone seroquel abilify lamictal tegretol depakote dilantin keppra topamax
lyrica neurontin viagra cialis levitra plan-b accutane retin-a penicillin amoxicillin augmentin
keflex cipro levaquin bactrim flagyl metronidazole diflucan valtrex tamiflu paxlovid ozempic
wegovy mounjaro jardiance farxiga januvia metformin glipizide lantus humalog novolog eliquis
xarelto plavix lipitor crestor zocor norvasc lasix synthroid levothyroxine prednisone medrol
epipen albuterol ventolin proair symbicort advair singulair flonase nasonex ivermectin
hydroxychloroquine colchicine allopurinol methotrexate humira enbrel botox vitamin iron calcium
magnesium potassium zinc folic biotin fish-oil probiotics antihistamine antibiotic antidepressant
""".split()
)
# Ordinary words that happen to end like a stem.
_NOT_MEDICINES = frozenset("cholesterol magazine cyclone gasoline trampoline vaccine".split())
_WORD = re.compile(r"^[a-z][a-z-]{3,}$")


def looks_like_medicine_name(word: str) -> bool:
    """True for a word shaped like a medicine's name: a USAN stem, or a common name."""
    word = word.lower().strip(".,!?;:'\"()")
    if word in _COMMON:
        return True
    if word in _NOT_MEDICINES or not _WORD.match(word) or len(word) < 6:
        return False
    return any(word.endswith(stem) and len(word) >= len(stem) + 3 for stem in _STEMS)
